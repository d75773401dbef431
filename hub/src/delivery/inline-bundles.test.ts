// Small bundles ride on the AssignmentSet (assign/assignments.ts push): real SQLite store, a file:// Git repo; agents are a recorder.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { pino } from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import { MAX_INLINE_BUNDLE_BYTES } from "../config/limits.js";
import { createMetrics } from "../metrics/index.js";
import { openStore, type Store } from "../store/index.js";
import { testRepo } from "../sources/test-repo.js";
import { createDelivery, type Delivery } from "./index.js";
import { ACTOR, addCluster, recorder } from "./test-harness.js";

const tmp = mkdtempSync(join(tmpdir(), "gitfleet-inline-"));
const repoDir = join(tmp, "repo");
const { sessions, take, reconnect } = recorder();
const metrics = createMetrics();
// One Source per App (the same repository): a refresh pushes one App's change.
const app = (name: string) => `apiVersion: gitfleet.dev/v1
kind: Source
metadata: {name: ${name}}
spec: {url: "file://${repoDir}", branch: main, interval: 1h}
---
apiVersion: gitfleet.dev/v1
kind: App
metadata: {name: ${name}}
spec: {source: ${name}, path: ${name}, rollout: {maxUnavailable: 100%}, targets: [{name: all, clusterSelector: {matchLabels: {env: prod}}}]}
`;
const FLEET = `${app("small")}---\n${app("big")}`;
const configMap = (name: string, data: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}}\ndata: {value: "${data}"}\n`;
// Random bytes do not compress: this bundle's gzip is over the inline limit.
const big = () => configMap("big", randomBytes(MAX_INLINE_BUNDLE_BYTES).toString("base64"));

let store: Store;
let delivery: Delivery;
let commit: ReturnType<typeof testRepo>["commit"];
const inlineCount = async () => (await metrics.bundlesSent.get()).values.find((v) => v.labels.via === "inline")?.value;

beforeAll(async () => {
  ({ commit } = testRepo(repoDir));
  commit({ "small/cm.yaml": configMap("small", "v1"), "big/cm.yaml": big() }, "v1");
  store = await openStore({ dataDir: tmp });
  for (const name of ["c1", "c2"]) await addCluster(store.db, name, { env: "prod" });
  await addCluster(store.db, "pending", { env: "prod" }, false);
  delivery = createDelivery({ db: store.db, log: pino({ level: "silent" }), dataDir: tmp, sessions, heartbeatTimeoutMs: 30_000, metrics });
});
afterAll(async () => {
  await delivery.stop();
  await store.close();
  rmSync(tmp, { recursive: true, force: true });
});

it("sends a commit's small new bundles inline on streams that had a set, never the first set, a big bundle or another cluster's", async () => {
  await delivery.apply(FLEET, "fleet.yaml", ACTOR);
  // Each App's reconcile pushes: a stream's first set carries no bundles (a reconnecting agent usually holds them).
  const applied = take();
  const first = ["c1", "c2"].map((c) => applied.find((s) => s.cluster === c));
  expect(first.map((s) => s?.bundles)).toEqual([[], []]);

  commit({ "small/cm.yaml": configMap("small", "v2") }, "v2");
  reconnect("c2");
  await delivery.refresh("small");
  const batch = take();
  expect(batch.map((s) => s.cluster).sort()).toEqual(["c1", "c2"]);
  const [c1, c2] = ["c1", "c2"].map((c) => batch.find((s) => s.cluster === c)!);
  const small = c1!.assignments.find((a) => a.app === "small")!.bundleDigest;
  // The bundle new on c1's stream rides along, as GetBundle would serve it.
  expect(c1!.bundles.map((b) => b.digest)).toEqual([small]);
  expect(gunzipSync(c1!.bundles[0]!.gzip).toString()).toBe((await delivery.bundleFor("c1", small))!.raw.toString());
  // c2's agent opened a new stream: its first set there carries none, so it shares no message with c1's.
  expect(c2!.bundles).toEqual([]);
  expect(c2!.assignments).toEqual(c1!.assignments);
  expect(c2!.message).not.toBe(c1!.message);

  // Over the size limit: fetched, not inline.
  commit({ "big/cm.yaml": big() }, "v3");
  await delivery.refresh("big");
  const bigBatch = take();
  expect(bigBatch.map((s) => s.cluster).sort()).toEqual(["c1", "c2"]);
  const bigDigest = bigBatch[0]!.assignments.find((a) => a.app === "big")!.bundleDigest;
  expect(bigDigest).not.toBe(c1!.assignments.find((a) => a.app === "big")!.bundleDigest);
  expect((await delivery.bundleFor("c1", bigDigest))!.gzip.length).toBeGreaterThan(MAX_INLINE_BUNDLE_BYTES);
  expect(bigBatch.map((s) => s.bundles)).toEqual([[], []]);
  // A Pending cluster has no assignments: it is sent no set, and so no bundle.
  expect([...applied, ...batch, ...bigBatch].some((s) => s.cluster === "pending")).toBe(false);
  expect(await inlineCount()).toBe(1);
});
