// Status rows as stored from agents' reports, on a real SQLite store.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { AppStatusSchema, HealthState, SyncState } from "@gitfleet/shared";
import { pino } from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createMetrics } from "../metrics/index.js";
import { openStore, type Store } from "../store/index.js";
import type { Ctx } from "../delivery/context.js";
import { addCluster } from "../delivery/test-harness.js";
import { storeStatuses } from "./ingest.js";
import { createObjectsMemory } from "./objects-memory.js";

const tmp = mkdtempSync(join(tmpdir(), "gitfleet-ingest-"));
let store: Store;
let ctx: Ctx;

beforeAll(async () => {
  store = await openStore({ dataDir: tmp });
  await addCluster(store.db, "c1", {});
  await store.db.assignment.create({ data: { clusterName: "c1", app: "web", target: "all", revision: "r1", bundleDigest: "d1" } });
  ctx = { db: store.db, log: pino({ level: "silent" }), metrics: createMetrics() } as Ctx;
});
afterAll(async () => {
  await store.close();
  rmSync(tmp, { recursive: true, force: true });
});

const report = (health: HealthState, names: string[]) => ({
  cluster: "c1",
  status: create(AppStatusSchema, { app: "web", revision: "r1", bundleDigest: "d1", sync: SyncState.SYNCED, health, objects: names.map((name) => ({ ref: { kind: "ConfigMap", name }, action: "configured" })) }),
});
const row = () => store.db.appStatus.findUniqueOrThrow({ where: { clusterName_app: { clusterName: "c1", app: "web" } } });
const names = async () => (JSON.parse((await row()).objects) as { ref: { name: string } }[]).map((o) => o.ref.name);

it("stores a status whose objects did not change without them, and the stored ones stay", async () => {
  const memory = createObjectsMemory();
  await storeStatuses(ctx, [report(HealthState.PROGRESSING, ["a", "b"])], memory);
  expect(await names()).toEqual(["a", "b"]);
  // Another writer changed the objects: this hub, not knowing, keeps what it stored last time...
  await store.db.appStatus.update({ where: { clusterName_app: { clusterName: "c1", app: "web" } }, data: { objects: "[]" } });
  await storeStatuses(ctx, [report(HealthState.HEALTHY, ["a", "b"])], memory);
  expect((await row()).health).toBe("HEALTHY");
  expect(await names()).toEqual([]);
  // ...until the cluster's agent connects again (it may have reported through another hub).
  memory.forget("c1");
  await storeStatuses(ctx, [report(HealthState.HEALTHY, ["a", "b"])], memory);
  expect(await names()).toEqual(["a", "b"]);
  await storeStatuses(ctx, [report(HealthState.HEALTHY, ["c"])], memory);
  expect(await names()).toEqual(["c"]);
  // A row deleted since (the App was removed and added again) gets its objects again.
  await store.db.appStatus.deleteMany({});
  await storeStatuses(ctx, [report(HealthState.HEALTHY, ["c"])], memory);
  expect(await names()).toEqual(["c"]);
});
