// Values per cluster (substitute) through delivery: real SQLite store, a file:// Git repo, real helm; agents are a recorder.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, type Store } from "../store/index.js";
import { createDelivery, type Delivery } from "./index.js";
import { ACTOR, addCluster, recorder, type Sent } from "./test-harness.js";
import { testRepo } from "../sources/test-repo.js";

const helmBin = execFileSync(process.execPath, [resolve(__dirname, "../../../scripts/tools.mjs"), "helm"], { encoding: "utf8" }).trim();
const tmp = mkdtempSync(join(tmpdir(), "gitfleet-substitute-"));
const repoDir = join(tmp, "repo");
const { sessions, take } = recorder();

const configMap = (data: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: shop}\ndata:\n${data}`;
const FLEET = `apiVersion: gitfleet.dev/v1
kind: Source
metadata: {name: apps}
spec: {url: "file://${repoDir}", branch: main, interval: 1h}
---
apiVersion: gitfleet.dev/v1
kind: App
metadata: {name: regional}
spec:
  source: apps
  path: regional
  rollout: {maxUnavailable: 100%}
  substitute: {tier: gold, owner: shop-team}
  targets:
  - {name: all, clusterSelector: {matchLabels: {fleet: regional}}, substitute: {tier: platinum}}
`;
const CHART_APP = `apiVersion: gitfleet.dev/v1
kind: App
metadata: {name: chart}
spec:
  source: apps
  path: charts/cfg
  rollout: {maxUnavailable: 100%}
  helm: {values: {region: "\${cluster.labels.region:=none}"}}
  substitute: {}
  targets:
  - {name: all, clusterSelector: {matchLabels: {fleet: regional}}}
`;

let store: Store;
let delivery: Delivery;
let commit: ReturnType<typeof testRepo>["commit"];
const CLUSTERS = ["eu-1", "eu-2", "eu-3", "us-1", "us-2", "us-3"];

const assignments = async (app: string) => new Map((await store.db.assignment.findMany({ where: { app } })).map((a) => [a.clusterName, a.bundleDigest]));
const digestsOf = (batch: Sent[], app: string) => new Map(batch.map((s) => [s.cluster, s.assignments.find((a) => a.app === app)?.bundleDigest]));
async function relabel(cluster: string, labels: Record<string, string>): Promise<void> {
  await store.db.cluster.update({ where: { name: cluster }, data: { adminLabels: JSON.stringify(labels) } });
  await delivery.clusterChanged(cluster);
}
const data = async (cluster: string, digest: string) => (JSON.parse(`[${(await delivery.bundleFor(cluster, digest))!.raw.toString().trim().split("\n").join(",")}]`) as { kind: string; data: Record<string, string> }[]).find((o) => o.kind === "ConfigMap")!.data;

beforeAll(async () => {
  ({ commit } = testRepo(repoDir));
  commit({
    "regional/settings.yaml": configMap('  region: "${cluster.labels.region}"\n  tier: "${tier}"\n  owner: "${owner}"\n  zone: "${cluster.labels.zone:=any}"\n  script: "echo $${HOME}"\n  replicas: "3"\n'),
    "big/cm.yaml": 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata: {blob: "${blob}"}\n',
    "charts/cfg/Chart.yaml": "apiVersion: v2\nname: cfg\nversion: 1.0.0\n",
    "charts/cfg/templates/cm.yaml": 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: chart-cfg}\ndata:\n  gdpr: {{ eq .Values.region "eu" | quote }}\n',
  }, "v1");
  store = await openStore({ dataDir: tmp });
  for (const name of CLUSTERS) await addCluster(store.db, name, { fleet: "regional", region: name.slice(0, 2) });
  delivery = createDelivery({ db: store.db, log: pino({ level: "silent" }), dataDir: tmp, sessions, heartbeatTimeoutMs: 30_000, helmBin, renderLimits: { maxObjectBytes: 4096, maxBundleBytes: 1024 * 1024 } });
});
afterAll(async () => {
  await delivery.stop();
  await store.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe("substitute", () => {
  let eu = "";
  let us = "";

  it("gives each region its own bundle, rendering once per distinct value, not per cluster", async () => {
    await delivery.apply(FLEET, "fleet.yaml", ACTOR);
    const digests = digestsOf(take(), "regional");
    eu = digests.get("eu-1")!;
    us = digests.get("us-1")!;
    expect(Object.fromEntries(digests)).toEqual(Object.fromEntries(CLUSTERS.map((c) => [c, c.startsWith("eu") ? eu : us])));
    expect(eu).not.toBe(us);
    // The target's render (with ${...} left in) is shared and not a bundle of any cluster: not stored as one.
    expect(delivery.stats.renders).toBe(2);
    expect((await store.db.bundle.findMany({ select: { digest: true } })).map((b) => b.digest).sort()).toEqual([eu, us].sort());
    expect(await data("eu-2", eu)).toEqual({ region: "eu", tier: "platinum", owner: "shop-team", zone: "any", script: "echo ${HOME}", replicas: "3" });
    expect((await data("us-3", us)).region).toBe("us");
    // A cluster reads only its own bundle.
    expect(await delivery.bundleFor("eu-1", us)).toBeUndefined();
    const { app, clusters } = await delivery.getApp("regional");
    expect(app.targets).toEqual([expect.objectContaining({ name: "all", clusters: 6, bundles: 2, bundleDigest: "", error: "" })]);
    expect(clusters.find((c) => c.cluster === "us-2")).toMatchObject({ desiredDigest: us });
  });

  it("moves a relabelled cluster to the other region's bundle without a new rollout or render", async () => {
    const started = await store.db.rollout.findUniqueOrThrow({ where: { app: "regional" } });
    await relabel("eu-3", { region: "us" });
    const batch = take();
    expect(batch.map((s) => s.cluster)).toEqual(["eu-3"]);
    expect(digestsOf(batch, "regional").get("eu-3")).toBe(us);
    expect(await store.db.rollout.findUniqueOrThrow({ where: { app: "regional" } })).toMatchObject({ key: started.key, startedAt: started.startedAt });
    expect(await store.db.auditEvent.count({ where: { action: "rollout.started", subject: "regional" } })).toBe(1);
    expect(delivery.stats.renders).toBe(2);
  });

  it("shows an unset variable on the App, naming variable, App, target, object and cluster; the cluster keeps its bundle", async () => {
    // eu-3 runs us's bundle since the test before; now it has no region label at all.
    await store.db.cluster.update({ where: { name: "eu-3" }, data: { agentLabels: JSON.stringify({ fleet: "regional" }), adminLabels: "{}" } });
    await delivery.clusterChanged("eu-3");
    const { app } = await delivery.getApp("regional");
    expect(app.error).toBe("target all: ConfigMap shop/settings: data.region: variable cluster.labels.region is not set and ${cluster.labels.region} has no default (${cluster.labels.region:=value}) (app regional, cluster eu-3)");
    expect(app.targets?.[0]?.error).toContain("variable cluster.labels.region is not set");
    expect((await assignments("regional")).get("eu-3")).toBe(us);
    take();
    // Labelled again: the error clears and the cluster gets its region's bundle.
    await relabel("eu-3", { region: "eu" });
    expect(digestsOf(take(), "regional").get("eu-3")).toBe(eu);
    expect((await delivery.getApp("regional")).app.error).toBe("");
  });

  it("renders a chart once per distinct value its values use; the templates see the substituted value", async () => {
    const before = delivery.stats.renders;
    await delivery.apply(CHART_APP, "chart.yaml", ACTOR);
    const digests = digestsOf(take(), "chart");
    expect(new Set(digests.values()).size).toBe(2);
    expect(delivery.stats.renders - before).toBe(2);
    const gdpr = async (c: string) => (JSON.parse((await delivery.bundleFor(c, digests.get(c)!))!.raw.toString().trim()) as { data: { gdpr: string } }).data.gdpr;
    expect([await gdpr("eu-1"), await gdpr("us-1")]).toEqual(["true", "false"]);
  });

  it("keeps every cluster on its last good bundle when a commit uses a variable nobody sets", async () => {
    const before = await assignments("regional");
    const sha = commit({ "regional/settings.yaml": configMap('  region: "${cluster.labels.region}"\n  flavour: "${flavour}"\n') }, "v2");
    await delivery.refresh("apps");
    const { app } = await delivery.getApp("regional");
    expect(app.errorRevision).toBe(sha);
    expect(app.error).toContain("target all: ConfigMap shop/settings: data.flavour: variable flavour is not set");
    expect(app.error).toContain("(app regional, clusters eu-1, eu-2, eu-3 and 3 more)");
    expect(await assignments("regional")).toEqual(before);
  });

  it("holds substituted bundles to the object size limit", async () => {
    await delivery.apply(`apiVersion: gitfleet.dev/v1
kind: App
metadata: {name: big}
spec:
  source: apps
  path: big
  substitute: {blob: ${"x".repeat(5000)}}
  targets:
  - {name: all, clusterSelector: {matchLabels: {fleet: regional}}}
`, "big.yaml", ACTOR);
    const { app } = await delivery.getApp("big");
    expect(app.error).toMatch(/^target all: ConfigMap\/big is 0\.0 MiB, over the object size limit of 0\.0 MiB .*\(app big, clusters eu-1, eu-2, eu-3 and 3 more\)$/);
    expect(await assignments("big")).toEqual(new Map());
  });
});
