// The same cases against SQLite (temp dir) and PostgreSQL (a fresh database per test on
// 127.0.0.1:5432, or GITFLEET_TEST_PG_URL; dropped afterwards). PostgreSQL is required: if it is
// unreachable the PostgreSQL cases fail with a message saying so.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openStore, isUniqueViolation, isNotFound, type Store, type StoreLogger } from "./index.js";
import { migrations } from "../../generated/migrations.js";
import { MIGRATIONS_TABLE, migratePostgres, migrateSqlite } from "./migrate.js";
import { appAssignments, appStatuses, approvedClusters, rolloutClusters } from "./rollout-reads.js";

const PG_ADMIN_URL = process.env.GITFLEET_TEST_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const PASSWORD = "s3cret-Pa55word-" + randomBytes(4).toString("hex");

function capture() {
  const lines: string[] = [];
  const fn = (level: string) => (obj: Record<string, unknown>, msg: string) => {
    lines.push(`${level} ${msg} ${JSON.stringify(obj)}`);
  };
  const logger: StoreLogger = { info: fn("info"), warn: fn("warn"), error: fn("error") };
  return { logger, lines, text: () => lines.join("\n") };
}

interface Fresh {
  dataDir: string;
  databaseUrl?: string;
  /** the same database, URL carrying a password (trust auth ignores it) */
  urlWithPassword?: string;
  appliedNames(): Promise<string[]>;
}

interface Backend {
  name: "sqlite" | "postgresql";
  setup(): Promise<void>;
  fresh(): Promise<Fresh>;
  teardown(): Promise<void>;
}

const sqlite: Backend = (() => {
  const dirs: string[] = [];
  return {
    name: "sqlite",
    async setup() {},
    async fresh() {
      const dataDir = join(mkdtempSync(join(tmpdir(), "gitfleet-store-")), "data", "nested");
      dirs.push(join(dataDir, "..", ".."));
      return {
        dataDir,
        async appliedNames() {
          const { default: Database } = await import("better-sqlite3");
          const db = new Database(join(dataDir, "gitfleet.db"), { readonly: true });
          try {
            return (db.prepare(`SELECT name FROM "${MIGRATIONS_TABLE}" ORDER BY name`).all() as { name: string }[]).map((r) => r.name);
          } finally {
            db.close();
          }
        },
      };
    },
    async teardown() {
      for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    },
  };
})();

const postgres: Backend = (() => {
  let admin: pg.Client | undefined;
  const dbs: string[] = [];
  const urlFor = (db: string, password?: string) => {
    const u = new URL(PG_ADMIN_URL);
    u.pathname = "/" + db;
    if (password) u.password = password;
    return u.toString();
  };
  return {
    name: "postgresql",
    async setup() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 5000 });
      try {
        await c.connect();
      } catch (err) {
        throw new Error(
          `PostgreSQL tests need a server at ${PG_ADMIN_URL} (or set GITFLEET_TEST_PG_URL): ${(err as Error).message}`,
        );
      }
      admin = c;
    },
    async fresh() {
      if (!admin) throw new Error(`PostgreSQL is unreachable at ${PG_ADMIN_URL}; see the setup error above`);
      const name = "gitfleet_test_" + randomBytes(6).toString("hex");
      await admin.query(`CREATE DATABASE ${name}`);
      dbs.push(name);
      const databaseUrl = urlFor(name);
      return {
        dataDir: "/nonexistent/not-used-by-postgres",
        databaseUrl,
        urlWithPassword: urlFor(name, PASSWORD),
        async appliedNames() {
          const c = new pg.Client({ connectionString: databaseUrl });
          await c.connect();
          try {
            const r = await c.query(`SELECT name FROM "${MIGRATIONS_TABLE}" ORDER BY name`);
            return r.rows.map((x) => x.name as string);
          } finally {
            await c.end();
          }
        },
      };
    },
    async teardown() {
      if (!admin) return;
      for (const db of dbs.splice(0)) await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      await admin.end();
    },
  };
})();

describe.each([sqlite, postgres])("store on $name", (backend) => {
  const open: Store[] = [];
  const track = (s: Store) => (open.push(s), s);
  const all = migrations[backend.name].map((m) => m.name);

  beforeAll(() => backend.setup());
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
  });
  afterAll(() => backend.teardown());

  it("applies all migrations to a fresh database", async () => {
    const f = await backend.fresh();
    const log = capture();
    const s = track(await openStore({ ...f, logger: log.logger }));
    expect(s.provider).toBe(backend.name);
    expect(all.length).toBeGreaterThan(0);
    expect(await f.appliedNames()).toEqual(all);
    expect(log.text()).toContain(`applied ${all.length} migration(s)`);
    expect(await s.db.cluster.count()).toBe(0);
  });

  it("re-opening applies nothing twice", async () => {
    const f = await backend.fresh();
    await (await openStore(f)).close();
    const log = capture();
    const s = track(await openStore({ ...f, logger: log.logger }));
    expect(log.text()).toContain("schema up to date");
    expect(log.text()).not.toContain("applied");
    expect(await f.appliedNames()).toEqual(all);
    expect(await s.db.auditEvent.count()).toBe(0);
  });

  it("two hubs opening the same fresh database at once both succeed, migrating once", async () => {
    const f = await backend.fresh();
    const logs = [capture(), capture(), capture()];
    const stores = await Promise.all(logs.map((l) => openStore({ ...f, logger: l.logger })));
    stores.forEach(track);
    expect(await f.appliedNames()).toEqual(all);
    const appliedBy = logs.filter((l) => l.text().includes("migration(s)"));
    expect(appliedBy).toHaveLength(1);
    await Promise.all(stores.map((s, i) => s.db.auditEvent.create({ data: { actor: `hub-${i}`, action: "start", subject: "hub" } })));
    expect(await stores[0]!.db.auditEvent.count()).toBe(3);
  });

  it("stores and reads a Cluster with JSON labels and defaults", async () => {
    const s = track(await openStore(await backend.fresh()));
    const heartbeat = new Date("2025-03-04T05:06:07.891Z");
    const created = await s.db.cluster.create({
      data: {
        name: "edge-1",
        credentialHash: "sha256:abc",
        tokenLabels: JSON.stringify({ env: "prod", region: "eu-west" }),
        agentLabels: JSON.stringify({ "kubernetes.io/arch": "arm64" }),
        namespaces: JSON.stringify(["default", "apps"]),
        lastHeartbeat: heartbeat,
      },
    });
    expect(created.id).toMatch(/^c[a-z0-9]{20,}$/);
    const got = await s.db.cluster.findUniqueOrThrow({ where: { name: "edge-1" } });
    expect(JSON.parse(got.tokenLabels)).toEqual({ env: "prod", region: "eu-west" });
    expect(JSON.parse(got.agentLabels)).toEqual({ "kubernetes.io/arch": "arm64" });
    expect(JSON.parse(got.adminLabels)).toEqual({});
    expect(JSON.parse(got.namespaces)).toEqual(["default", "apps"]);
    expect(got).toMatchObject({ state: "Pending", approved: false, generation: 0, agentVersion: "", tokenId: null });
    expect(got.lastHeartbeat).toEqual(heartbeat);
    expect(got.registeredAt).toBeInstanceOf(Date);
    expect(Math.abs(got.registeredAt.getTime() - Date.now())).toBeLessThan(60_000);

    const bumped = await s.db.cluster.update({ where: { name: "edge-1" }, data: { generation: { increment: 1 }, state: "Connected" } });
    expect(bumped.generation).toBe(1);
    expect(await s.db.cluster.count({ where: { state: "Connected" } })).toBe(1);

    const dup = await s.db.cluster.create({ data: { name: "edge-1", credentialHash: "sha256:other" } }).catch((e: unknown) => e);
    expect(isUniqueViolation(dup)).toBe(true);
    const missing = await s.db.cluster.update({ where: { name: "nope" }, data: { approved: true } }).catch((e: unknown) => e);
    expect(isNotFound(missing)).toBe(true);
  });

  it("handles composite ids, autoincrement ids and @updatedAt the same way", async () => {
    const s = track(await openStore(await backend.fresh()));
    const key = { clusterName_app: { clusterName: "edge-1", app: "web" } };
    const base = { target: "prod", revision: "a".repeat(40), bundleDigest: "sha256:1" };
    await s.db.assignment.upsert({ where: key, create: { ...key.clusterName_app, ...base }, update: base });
    const a2 = await s.db.assignment.upsert({ where: key, create: { ...key.clusterName_app, ...base }, update: { bundleDigest: "sha256:2" } });
    expect(a2.bundleDigest).toBe("sha256:2");
    expect(a2.updatedAt).toBeInstanceOf(Date);
    expect(await s.db.assignment.findUniqueOrThrow({ where: key })).toMatchObject({ ...base, bundleDigest: "sha256:2" });

    const firstSeen = new Date();
    const d1 = await s.db.driftEvent.create({
      data: { clusterName: "edge-1", app: "web", apiVersion: "apps/v1", kind: "Deployment", name: "web", fields: '["spec.replicas"]', firstSeen },
    });
    const d2 = await s.db.driftEvent.create({
      data: { clusterName: "edge-1", app: "web", apiVersion: "v1", kind: "ConfigMap", name: "cfg", firstSeen, deleted: true },
    });
    expect(d2.id).toBeGreaterThan(d1.id);
    expect(d1).toMatchObject({ namespace: "", manager: "", active: true, deleted: false, healedAt: null });

    await s.db.revision.create({
      data: { sourceName: "repo", sha: "b".repeat(40), ref: "refs/heads/main", author: "a <a@x>", message: "m", committedAt: firstSeen },
    });
    const dupRev = await s.db.revision
      .create({ data: { sourceName: "repo", sha: "b".repeat(40), ref: "main", author: "x", message: "y", committedAt: firstSeen } })
      .catch((e: unknown) => e);
    expect(isUniqueViolation(dupRev)).toBe(true);

    const since = new Date(firstSeen.getTime() - 1000);
    expect(await s.db.driftEvent.count({ where: { firstSeen: { gte: since }, active: true } })).toBe(2);
  });

  it("rollout reads on the driver adapter give Prisma's rows", async () => {
    const s = track(await openStore(await backend.fresh()));
    const { db } = s;
    const at = new Date("2025-03-04T05:06:07.891Z");
    await db.cluster.createMany({ data: [
      { name: "a", credentialHash: "h-a", approved: true, state: "Connected", lastHeartbeat: at, tokenLabels: '{"env":"prod"}' },
      { name: "b", credentialHash: "h-b", approved: true, adminLabels: '{"tier":"1"}' },
      { name: "c", credentialHash: "h-c" },
    ] });
    await db.assignment.createMany({ data: [
      { clusterName: "a", app: "web", target: "prod", revision: "r1", bundleDigest: "d1", previousDigest: "d0" },
      { clusterName: "b", app: "web", target: "prod", revision: "r1", bundleDigest: "d1" },
      { clusterName: "a", app: "api", target: "prod", revision: "r1", bundleDigest: "d9" },
    ] });
    await db.appStatus.createMany({ data: [{ clusterName: "a", app: "web", revision: "r1", bundleDigest: "d1", sync: "SYNCED", health: "HEALTHY", message: "ok", observedAt: at }] });
    await db.rolloutCluster.createMany({ data: [
      { app: "web", clusterName: "a", step: "Healthy", stage: 2, startedAt: at, finishedAt: new Date(at.getTime() + 1500), message: "m", prevTarget: "prod", prevRevision: "r0", prevDigest: "d0" },
      { app: "web", clusterName: "b", step: "Pending", stage: 0 },
    ] });
    const byName = <T extends { name?: string; clusterName?: string }>(rows: T[]) => [...rows].sort((x, y) => (x.name ?? x.clusterName!).localeCompare(y.name ?? y.clusterName!));
    expect(byName(await approvedClusters(db))).toEqual(byName(await db.cluster.findMany({ where: { approved: true }, select: { name: true, tokenLabels: true, agentLabels: true, adminLabels: true, state: true, lastHeartbeat: true } })));
    expect(byName(await appAssignments(db, "web"))).toEqual(byName(await db.assignment.findMany({ where: { app: "web" }, select: { clusterName: true, app: true, target: true, revision: true, bundleDigest: true, previousDigest: true } })));
    expect(byName(await appStatuses(db, "web"))).toEqual(byName(await db.appStatus.findMany({ where: { app: "web" }, select: { clusterName: true, revision: true, bundleDigest: true, sync: true, health: true, message: true } })));
    const records = byName(await rolloutClusters(db, "web"));
    expect(records).toEqual(byName(await db.rolloutCluster.findMany({ where: { app: "web" } })));
    expect(records[0]!.finishedAt?.getTime()).toBe(at.getTime() + 1500);
  });

  it("rolls back every pending migration when one fails", async () => {
    const f = await backend.fresh();
    const good = { name: "0001_good", checksum: "x", sql: 'CREATE TABLE "Probe" ("id" INTEGER NOT NULL PRIMARY KEY);' };
    const bad = { name: "0002_bad", checksum: "y", sql: "CREATE TABLE oops (" };
    const log = capture();
    let err: unknown;
    if (backend.name === "sqlite") {
      const { mkdirSync } = await import("node:fs");
      mkdirSync(f.dataDir, { recursive: true });
      try {
        migrateSqlite(join(f.dataDir, "gitfleet.db"), [good, bad], log.logger);
      } catch (e) {
        err = e;
      }
      const { default: Database } = await import("better-sqlite3");
      const raw = new Database(join(f.dataDir, "gitfleet.db"));
      const tables = raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all();
      raw.close();
      expect(tables).toEqual([]);
      await (await openStore(f)).close();
    } else {
      const c = new pg.Client({ connectionString: f.databaseUrl });
      await c.connect();
      err = await migratePostgres(c, undefined, [good, bad], log.logger).catch((e: unknown) => e);
      const probe = await c.query(`SELECT to_regclass('"Probe"') AS t, to_regclass('"${MIGRATIONS_TABLE}"') AS m`);
      expect(probe.rows[0]).toEqual({ t: null, m: null });
      await c.end();
      await (await openStore(f)).close();
    }
    expect(String(err)).toContain("migration 0002_bad failed, nothing was applied");
    expect(await f.appliedNames()).toEqual(all);
  });

  if (backend.name === "postgresql") {
    it("never logs the password of a postgres URL", async () => {
      const f = await backend.fresh();
      const log = capture();
      const s = track(await openStore({ ...f, databaseUrl: f.urlWithPassword, logger: log.logger }));
      await s.db.token.create({ data: { id: "tok1", secretHash: "h", expiresAt: new Date(Date.now() + 3600_000) } });
      expect(log.lines.length).toBeGreaterThan(0);
      expect(log.text()).toContain("[redacted]");
      expect(log.text()).not.toContain(PASSWORD);

      // a failing connection: neither the logs nor the error carry the password
      const bad = new URL(f.urlWithPassword!);
      bad.port = "1";
      const log2 = capture();
      const err = await openStore({ dataDir: "", databaseUrl: bad.toString(), logger: log2.logger }).catch((e: unknown) => e);
      expect(String(err)).toMatch(/cannot connect to PostgreSQL at postgresql:\/\/postgres:\[redacted\]@127\.0\.0\.1:1\//);
      expect(String(err)).not.toContain(PASSWORD);
      expect(log2.text()).toContain("cannot connect");
      expect(log2.text()).not.toContain(PASSWORD);
    });

    it("supports ?schema= in the URL", async () => {
      const f = await backend.fresh();
      const s = track(await openStore({ ...f, databaseUrl: f.databaseUrl + "?schema=gitfleet" }));
      await s.db.bundle.create({ data: { digest: "sha256:d", manifests: "---\n", objects: 0, size: 4 } });
      const c = new pg.Client({ connectionString: f.databaseUrl });
      await c.connect();
      const r = await c.query(`SELECT count(*)::int AS n FROM gitfleet."Bundle"`);
      const pub = await c.query(`SELECT to_regclass('public."Bundle"') AS t`);
      await c.end();
      expect(r.rows[0].n).toBe(1);
      expect(pub.rows[0].t).toBeNull();
    });
  }
});
