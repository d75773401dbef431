// Status rows as stored from agents' reports, and their per-object results stored once per content
// (StatusObjects), on SQLite and PostgreSQL.
import Database from "better-sqlite3";
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { join } from "node:path";
import { AppStatusSchema, HealthState, SyncState } from "@gitfleet/shared";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { migrations } from "../../generated/migrations.js";
import { createMetrics } from "../metrics/index.js";
import { createAppRepository, openStore, type Db, type Store } from "../store/index.js";
import { runInTransaction } from "../store/direct-sql.js";
import { insertAssignments } from "../store/assignment-rows.js";
import { migratePostgres, migrateSqlite } from "../store/migrate.js";
import { freshDatabase, PROVIDERS, storeOn, testPgClient } from "../store/test-store.js";
import type { Ctx } from "../delivery/context.js";
import { getApp } from "../views/app-summary.js";
import { storeStatuses } from "./ingest.js";
import { createObjectsEncoder } from "./objects-encoder.js";

const N = 10_000;
const cluster = (i: number) => `c${String(i).padStart(5, "0")}`;
const objects = (names: string[], health = "Current") => names.map((name) => ({ ref: { kind: "ConfigMap", name }, action: "configured", health }));
const report = (c: string, health: HealthState, names: string[], app = "web") => ({
  cluster: c,
  status: create(AppStatusSchema, { app, revision: "r1", bundleDigest: "d1", sync: SyncState.SYNCED, health, objects: objects(names), observedAt: timestampFromDate(new Date()) }),
});
const ctxOf = (db: Db) => ({ db, apps: createAppRepository(db), log: pino({ level: "silent" }), metrics: createMetrics() }) as unknown as Ctx;

/** The App, assigned to clusters 0..n-1. */
async function assign(db: Db, n: number): Promise<void> {
  await db.app.create({ data: { name: "web", spec: JSON.stringify({ source: "apps", path: "web", targets: [{ name: "all", clusterSelector: {} }] }), revision: "r1" } });
  const rows = Array.from({ length: n }, (_, i) => ({ clusterName: cluster(i), app: "web", target: "all", revision: "r1", bundleDigest: "d1", previousDigest: "" }));
  await runInTransaction(db, insertAssignments(rows, new Date()));
}

/** Per cluster, the names of the objects getApp shows. */
async function shown(ctx: Ctx): Promise<Map<string, string[]>> {
  const { clusters } = await getApp(ctx, "web");
  return new Map(clusters.map((c) => [c.cluster ?? "", (c.objects ?? []).map((o) => o.ref?.name ?? "")]));
}

describe.each(PROVIDERS)("status objects on %s", (provider) => {
  const store = storeOn(provider, "ingest");
  const digests = async () => (await store().db.appStatus.findMany({ select: { clusterName: true, objectsDigest: true }, orderBy: { clusterName: "asc" } })).map((r) => r.objectsDigest);

  it("stores the objects 10,000 clusters report alike once; two lists twice; a status re-reported alike keeps its digest", async () => {
    const { db } = store();
    const ctx = ctxOf(db);
    await assign(db, N);
    const encode = createObjectsEncoder();
    // As the decoder gives them: one array shared by the reports of a bundle.
    const same = report(cluster(0), HealthState.PROGRESSING, ["a", "b"]).status.objects;
    const all = Array.from({ length: N }, (_, i) => {
      const r = report(cluster(i), HealthState.PROGRESSING, []);
      r.status.objects = same;
      return r;
    });
    await storeStatuses(ctx, all, encode);
    expect(await db.statusObjects.count()).toBe(1);
    const [digest] = new Set(await digests());
    expect(digest).toMatch(/^sha256:/);
    expect(new Set([...(await shown(ctx)).values()].map((names) => names.join()))).toEqual(new Set(["a,b"]));

    // Healthy now, the same objects: the rows keep their digest, and the objects row is seen again.
    const old = new Date(Date.now() - 86_400_000);
    await db.statusObjects.updateMany({ data: { seenAt: old } });
    await storeStatuses(ctx, [report(cluster(0), HealthState.HEALTHY, ["a", "b"])], encode);
    const row = await db.appStatus.findUniqueOrThrow({ where: { clusterName_app: { clusterName: cluster(0), app: "web" } } });
    expect(row).toMatchObject({ health: "HEALTHY", objectsDigest: digest });
    expect((await db.statusObjects.findUniqueOrThrow({ where: { digest: digest! } })).seenAt.getTime()).toBeGreaterThan(old.getTime());

    // Another list (one object failed) on one cluster, none on another: one row more; the others keep theirs.
    await storeStatuses(ctx, [report(cluster(1), HealthState.DEGRADED, ["a", "c"]), report(cluster(2), HealthState.HEALTHY, [])], encode);
    expect(await db.statusObjects.count()).toBe(2);
    const byCluster = await shown(ctx);
    expect([0, 1, 2, 3].map((i) => byCluster.get(cluster(i)))).toEqual([["a", "b"], ["a", "c"], [], ["a", "b"]]);
    expect((await digests()).slice(0, 3)).toEqual([digest, expect.stringMatching(/^sha256:/), ""]);
  }, 120_000);

  it("shows no objects for a status whose objects row is gone", async () => {
    const { db } = store();
    const ctx = ctxOf(db);
    await storeStatuses(ctx, [report(cluster(5), HealthState.HEALTHY, ["z"])], createObjectsEncoder());
    expect((await shown(ctx)).get(cluster(5))).toEqual(["z"]);
    const { objectsDigest } = await db.appStatus.findUniqueOrThrow({ where: { clusterName_app: { clusterName: cluster(5), app: "web" } } });
    await db.statusObjects.delete({ where: { digest: objectsDigest } });
    expect((await shown(ctx)).get(cluster(5))).toEqual([]);
  });
});

describe.each(PROVIDERS)("the StatusObjects migration on %s", (provider) => {
  it("keeps the objects of a status stored before it", async () => {
    const database = freshDatabase(provider, "objects_migration");
    // The database as the migrations before this one left it.
    const mine = migrations[provider].findIndex((m) => m.name.endsWith("_status_objects"));
    expect(mine).toBeGreaterThan(0);
    const previous = migrations[provider].slice(0, mine);
    const insert = (table: string, p: (i: number) => string) => `INSERT INTO ${table} ("clusterName", "app", "revision", "bundleDigest", "sync", "health", "objects", "message", "observedAt") VALUES (${p(1)}, 'web', 'r1', 'd1', 'SYNCED', 'DEGRADED', ${p(2)}, 'one failed', ${p(3)})`;
    const stored = JSON.stringify(objects(["old-a", "old-b"], "Failed"));
    const at = new Date("2026-12-01T10:00:00.000Z");
    const quiet = { info() {}, warn() {}, error() {} };
    if (provider === "sqlite") {
      const file = join(database.dataDir, "gitfleet.db");
      migrateSqlite(file, previous, quiet);
      const raw = new Database(file);
      const row = raw.prepare(insert(`"AppStatus"`, () => "?"));
      row.run("c1", stored, at.toISOString().replace("Z", "+00:00"));
      row.run("c2", "[]", at.toISOString().replace("Z", "+00:00"));
      raw.close();
    } else {
      const client = await testPgClient();
      try {
        await migratePostgres(client, database.schema, previous, quiet);
        const table = `"${database.schema}"."AppStatus"`;
        await client.query(insert(table, (i) => `$${i}`), ["c1", stored, at]);
        await client.query(insert(table, (i) => `$${i}`), ["c2", "[]", at]);
      } finally {
        await client.end();
      }
    }
    let store: Store | undefined;
    try {
      store = await openStore(database);
      const { db } = store;
      await db.assignment.createMany({ data: ["c1", "c2"].map((c) => ({ clusterName: c, app: "web", target: "all", revision: "r1", bundleDigest: "d1" })) });
      await db.app.create({ data: { name: "web", spec: JSON.stringify({ source: "apps", path: "web", targets: [{ name: "all", clusterSelector: {} }] }), revision: "r1" } });
      const { clusters } = await getApp(ctxOf(db), "web");
      const c1 = clusters.find((c) => c.cluster === "c1")!;
      expect(c1).toMatchObject({ health: HealthState.DEGRADED, message: "one failed" });
      expect(c1.objects?.map((o) => [o.ref?.name, o.health])).toEqual([["old-a", "Failed"], ["old-b", "Failed"]]);
      expect(clusters.find((c) => c.cluster === "c2")!.objects).toEqual([]);
      // Seen at the migration, as a date both stores and retention read alike (UTC).
      const { seenAt } = await db.statusObjects.findFirstOrThrow();
      expect(Math.abs(seenAt.getTime() - Date.now())).toBeLessThan(60_000);
    } finally {
      await store?.close();
      await database.drop();
    }
  });
});
