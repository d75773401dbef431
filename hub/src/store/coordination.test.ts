// Several hubs on one PostgreSQL (127.0.0.1:5432, or GITFLEET_TEST_PG_URL; a schema of its own, dropped
// afterwards): the lease has one holder, moves when it is released or expires, fences the old
// holder's writes, and the feed carries changes to the other hubs only.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { isNotFound, leaseFenceSql, openCoordination, openStore, type Store, type StoreLogger } from "./index.js";
import { insertStatements } from "./bulk-rows.js";
import { runInTransaction } from "./direct-sql.js";
import { splitChange, type Change, type Coordination } from "../ha/index.js";

const PG_URL = process.env.GITFLEET_TEST_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
const schema = `coord_${randomBytes(5).toString("hex")}`;
const quiet: StoreLogger = { info() {}, warn() {}, error() {} };
const lease = { ttlMs: 1_500, renewMs: 200 };
let store: Store;
const open: Coordination[] = [];

async function hub(id: string): Promise<Coordination> {
  const c = await openCoordination(store, id, quiet, lease);
  open.push(c);
  return c;
}

async function until<T>(what: string, check: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  const u = new URL(PG_URL);
  u.searchParams.set("schema", schema);
  store = await openStore({ dataDir: "/nonexistent", databaseUrl: u.toString() });
});

afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await store?.close();
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
});

it("gives the lease to one hub, moves it on release and on expiry, and fences the old holder", async () => {
  const a = await hub("hub-a");
  const b = await hub("hub-b");
  expect([a.leadership.isLeader(), b.leadership.isLeader()]).toEqual([true, false]);
  const first = a.leadership.lease()!;
  expect(first.holder).toBe("hub-a");
  const audit = (action: string) => insertStatements("AuditEvent", ["at", "actor", "action", "subject", "detail"], [{ at: new Date(), actor: "a", action, subject: "x", detail: "{}" }]);
  await runInTransaction(store.db, [...leaseFenceSql(first), ...audit("test.write")]);
  expect(await store.db.auditEvent.count({ where: { action: "test.write" } })).toBe(1);

  // A release hands it over at the next try.
  const changes: boolean[] = [];
  b.leadership.onChange((leader) => changes.push(leader));
  await a.close();
  await until("b to lead after a released", () => b.leadership.isLeader());
  expect(changes).toEqual([true]);
  const second = b.leadership.lease()!;
  expect(second.epoch).toBeGreaterThan(first.epoch);

  // The old holder's writes fail as a whole: the audit row of that transaction is not stored.
  const fenced = await runInTransaction(store.db, [...leaseFenceSql(first), ...audit("test.fenced")]).catch((e: unknown) => e);
  expect(isNotFound(fenced)).toBe(true);
  expect(await store.db.auditEvent.count({ where: { action: "test.fenced" } })).toBe(0);

  // A holder that stops renewing (frozen, partitioned) loses it once it expires: simulated by ageing the row.
  const c = await hub("hub-c");
  expect(c.leadership.isLeader()).toBe(false);
  await b.close(); // releases; c takes it
  await until("c to lead", () => c.leadership.isLeader());
  await store.db.lease.update({ where: { name: "singleton" }, data: { expiresAt: new Date(0) } });
  const d = await hub("hub-d");
  await until("d to take the expired lease", () => d.leadership.isLeader());
  await until("c to step down when its renewal finds the lease taken", () => !c.leadership.isLeader());
});

it("carries changes to the other hubs, not back to the sender, in pieces NOTIFY accepts", async () => {
  const x = await hub("hub-x");
  const y = await hub("hub-y");
  const atX: Change[] = [];
  const atY: Change[] = [];
  x.feed.subscribe((c) => atX.push(c));
  y.feed.subscribe((c) => atY.push(c));
  const many = Array.from({ length: 2_000 }, (_, i) => `cluster-${String(i).padStart(5, "0")}`);
  x.feed.publish({ kind: "push", names: many });
  x.feed.publish({ kind: "rollout", names: ["web"] });
  await until("y to hear every cluster and the rollout", () => atY.filter((c) => c.kind === "push").flatMap((c) => c.names).length === many.length && atY.some((c) => c.kind === "rollout"));
  expect(atY.filter((c) => c.kind === "push").length).toBeGreaterThan(1);
  expect(new Set(atY.flatMap((c) => (c.kind === "push" ? c.names : [])))).toEqual(new Set(many));
  expect(atX).toEqual([]);
});

it("splits only what is too big, keeping every name once", () => {
  const small: Change = { kind: "apps", names: ["a", "b"], all: true };
  expect(splitChange(small, 7_000)).toEqual([small]);
  const parts = splitChange({ kind: "sync", app: "web", names: Array.from({ length: 1_000 }, (_, i) => `c${i}`) }, 1_000);
  expect(parts.every((p) => JSON.stringify(p).length <= 1_000 && p.kind === "sync" && p.app === "web")).toBe(true);
  expect(parts.flatMap((p) => p.names)).toHaveLength(1_000);
});
