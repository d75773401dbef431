import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DriftReportSchema, type DriftReport } from "@gitfleet/shared";
import { openStore, type Store } from "../store/index.js";
import { pruneDrift, recordDrift } from "./record.js";
import { driftSummary, listDrift } from "./query.js";

let dir: string;
let store: Store;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "drift-"));
  store = await openStore({ dataDir: dir });
  for (const [name, env] of [["eu", "prod"], ["us", "prod"], ["dev", "dev"]]) {
    await store.db.cluster.create({ data: { name: name!, credentialHash: name!, agentLabels: JSON.stringify({ env }), state: "Connected", approved: true } });
  }
});
afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const ref = (name: string, kind = "Deployment") => ({ apiVersion: kind === "Secret" ? "v1" : "apps/v1", kind, namespace: "web", name });
const report = (init: Partial<DriftReport>) => create(DriftReportSchema, init as DriftReport);
const t = (ms: number) => timestampFromDate(new Date(ms));

it("opens, updates and closes drift episodes, and adds them up across clusters", async () => {
  const now = Date.now();
  const db = store.db;
  await recordDrift(db, "eu", report({ apps: ["web"], events: [{ app: "web", ref: ref("api"), fields: [{ path: "spec.replicas", desired: "2", live: "5" }], manager: "kubectl", firstSeen: t(now - 1000) } as never] }));
  await recordDrift(db, "us", report({ apps: ["web"], events: [
    { app: "web", ref: ref("api"), fields: [{ path: "spec.replicas", desired: "2", live: "3" }], firstSeen: t(now - 500), healedAt: t(now - 400) } as never,
    { app: "web", ref: ref("creds", "Secret"), fields: [{ path: "data.password", desired: "c2VjcmV0", live: "b3RoZXI=" }], firstSeen: t(now - 300) } as never,
  ] }));
  await recordDrift(db, "dev", report({ apps: ["web"], events: [{ app: "web", ref: ref("api"), deleted: true, firstSeen: t(now - 200) } as never] }));

  const all = await driftSummary(db, {});
  expect(all).toMatchObject({ drifting: 3, eventsInWindow: 4, clustersDrifting: 3 });
  const prod = await driftSummary(db, { clusterSelector: "env=prod" });
  expect(prod.rows.map((r) => [r.cluster, r.drifting, r.eventsInWindow])).toEqual([["eu", 1, 1], ["us", 1, 2]]);

  // Same object reported again: the open episode is updated, not duplicated.
  await recordDrift(db, "eu", report({ apps: ["web"], events: [{ app: "web", ref: ref("api"), fields: [{ path: "spec.replicas", desired: "2", live: "7" }], firstSeen: t(now - 1000) } as never] }));
  const eu = await listDrift(db, { cluster: "eu", app: "web", history: true });
  expect(eu).toHaveLength(1);
  expect(eu[0]!.event!.fields[0]!.live).toBe("7");

  // A full report without the object closes its episode.
  await recordDrift(db, "eu", report({ apps: ["web"], events: [] }));
  expect((await driftSummary(db, { cluster: "eu" })).drifting).toBe(0);
  expect(await listDrift(db, { cluster: "eu", history: false })).toHaveLength(0);
  expect(await listDrift(db, { cluster: "eu", history: true })).toHaveLength(1);

  // Secret values are masked even if an agent sent them.
  const secret = (await listDrift(db, { cluster: "us", history: true })).find((r) => r.event!.ref!.kind === "Secret")!;
  expect(secret.event!.fields[0]).toMatchObject({ path: "data.password", desired: "[redacted]", live: "[redacted]" });
  expect(JSON.stringify(await db.driftEvent.findMany())).not.toContain("c2VjcmV0");

  expect(await pruneDrift(db, 60_000, now + 3_600_000)).toBe(2);
  await expect(driftSummary(db, { clusterSelector: "env in prod" })).rejects.toThrow(/invalid label selector/);
});
