// Delivery against a real SQLite store and a file:// Git repo made here; agents are a recorder.
import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import type http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HealthState, SyncState } from "@gitfleet/shared";
import { create } from "@bufbuild/protobuf";
import { StatusReportSchema } from "@gitfleet/shared";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, type Store } from "../store/index.js";
import { createWebhookRoute } from "../transport/http/webhooks/index.js";
import { createDelivery, type Delivery } from "./index.js";
import { ACTOR, addCluster as addClusterRow, recorder, until, type Sent } from "./test-harness.js";
import { testRepo } from "../sources/test-repo.js";

const tmp = mkdtempSync(join(tmpdir(), "gitfleet-delivery-"));
const repoDir = join(tmp, "repo");
let git: ReturnType<typeof testRepo>["git"];
let commit: ReturnType<typeof testRepo>["commit"];
const deployment = (image: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: ${image}}]}
`;
const overlay = (env: string) => `resources: [../../base]\nnamePrefix: ${env}-\n`;

const { sent, sessions, take } = recorder(["offline"]);
const SECRET = "hook-s3cret";
const SOURCE = `apiVersion: gitfleet.dev/v1
kind: Source
metadata: {name: apps}
spec: {url: "file://${repoDir}", branch: main, interval: 1h, webhookSecret: ${SECRET}, credentials: {password: git-t0ken}}
`;
const APP = `apiVersion: gitfleet.dev/v1
kind: App
metadata: {name: web}
spec:
  source: apps
  path: web
  ignoreDifferences: [{kind: Deployment, group: apps, fields: [spec.replicas]}]
  rollout: {maxUnavailable: 100%}
  targets:
  - {name: staging, clusterSelector: {matchLabels: {env: staging}}, overlay: overlays/staging}
  - {name: prod, clusterSelector: {matchExpressions: [{key: env, operator: In, values: [prod]}]}, overlay: overlays/prod}
`;

let store: Store;
let delivery: Delivery;
const shas: Record<string, string> = {};
let v2digests = new Map<string, string | undefined>();

const addCluster = (name: string, labels: Record<string, string>, approved = true) => addClusterRow(store.db, name, labels, approved);
async function hook(): Promise<number> {
  const body = Buffer.from("{}");
  const sig = `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`;
  const req = { url: "/hooks/apps", method: "POST", headers: { "x-hub-signature-256": sig } } as unknown as http.IncomingMessage;
  return (await webhookRoute()(req, body)).status;
}
const webhookRoute = () => createWebhookRoute({ log: pino({ level: "silent" }), secretOf: delivery.webhookSecret, trigger: delivery.trigger });
/** Which cluster got which revision in a batch, by cluster: an empty batch cannot pass for a good one. */
const revisionsOf = (batch: Sent[]) => Object.fromEntries(batch.map((s) => [s.cluster, s.assignments[0]?.revision]));
const everyCluster = (clusters: string[], revision: string | undefined) => Object.fromEntries(clusters.map((c) => [c, revision]));
const digestsOf = (batch: Sent[]) => new Map(batch.map((s) => [s.cluster, s.assignments[0]?.bundleDigest]));

beforeAll(async () => {
  ({ git, commit } = testRepo(repoDir));
  shas.v1 = commit({
    "web/base/kustomization.yaml": "resources: [deployment.yaml]\n",
    "web/base/deployment.yaml": deployment("nginx:1.0"),
    "web/overlays/staging/kustomization.yaml": overlay("staging"),
    "web/overlays/prod/kustomization.yaml": overlay("prod"),
  }, "v1");
  store = await openStore({ dataDir: tmp });
  for (const n of ["s1", "s2"]) await addCluster(n, { env: "staging" });
  for (const n of ["p1", "p2", "p3"]) await addCluster(n, { env: "prod" });
  await addCluster("d1", { env: "dev" });
  await addCluster("u1", { env: "prod" }, false);
  delivery = createDelivery({ db: store.db, log: pino({ level: "silent" }), dataDir: tmp, sessions, heartbeatTimeoutMs: 30_000 });
});
afterAll(async () => {
  await delivery.stop();
  await store.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe("delivery", () => {
  it("applies a Source and an App and pushes each matching cluster its overlay's bundle", async () => {
    const results = await delivery.apply(`${SOURCE}---\n${APP}`, "fleet.yaml", ACTOR);
    expect(results).toEqual([{ kind: "Source", name: "apps", action: "created" }, { kind: "App", name: "web", action: "created" }]);
    const batch = take();
    expect(batch.map((s) => s.cluster).sort()).toEqual(["p1", "p2", "p3", "s1", "s2"]);
    const digests = digestsOf(batch);
    expect(new Set([digests.get("s1"), digests.get("s2")]).size).toBe(1);
    expect(new Set([digests.get("p1"), digests.get("p2"), digests.get("p3")]).size).toBe(1);
    expect(digests.get("s1")).not.toBe(digests.get("p1"));
    // One message per distinct content, encoded once for all its clusters; never one made for another target.
    const message = (c: string) => batch.find((s) => s.cluster === c)!.message;
    expect(message("p2")).toBe(message("p1"));
    expect(message("s2")).toBe(message("s1"));
    expect(message("s1")).not.toBe(message("p1"));
    expect(() => Object.assign(batch[0]!.assignments[0]!, { revision: "changed" })).toThrow(TypeError);
    expect(batch[0]!.generation).toBe(1n);
    expect(batch.find((s) => s.cluster === "p1")!.assignments[0]).toMatchObject({
      app: "web", target: "prod", revision: shas.v1, prune: true, selfHeal: true, ignoreFields: ["apps/Deployment:spec.replicas"],
    });
    expect(delivery.stats.renders).toBe(2);
    const manifests = await delivery.bundleFor("p1", digests.get("p1")!);
    expect(manifests?.raw.toString()).toContain(`"name":"prod-web"`);
    // A cluster reads only the bundles assigned to it.
    expect(await delivery.bundleFor("s1", digests.get("p1")!)).toBeUndefined();
  });

  it("re-applying the same definitions changes and pushes nothing", async () => {
    const results = await delivery.apply(`${SOURCE}---\n${APP}`, "fleet.yaml", ACTOR);
    expect(results.map((r) => r.action)).toEqual(["unchanged", "unchanged"]);
    expect(take()).toEqual([]);
  });

  it("keeps Source secrets encrypted and out of every view", async () => {
    const row = await store.db.source.findUniqueOrThrow({ where: { name: "apps" } });
    expect(`${row.spec}${row.credentials}`).not.toMatch(/hook-s3cret|git-t0ken/);
    const summary = await delivery.getSource("apps");
    expect(JSON.parse(summary.specJson!)).toMatchObject({ webhookSecret: "[redacted]", credentials: "[redacted]" });
    expect(summary).toMatchObject({ follow: "branch:main", url: `file://${repoDir}`, revision: { sha: shas.v1, message: "v1" } });
  });

  it("delivers a new commit on a signed webhook, rendering once per overlay", async () => {
    shas.v2 = commit({ "web/base/deployment.yaml": deployment("nginx:2.0") }, "v2");
    // The Source polls hourly: only the webhook can have fetched v2 within the test.
    expect(await hook()).toBe(202);
    const batch = await until("v2 pushed", async () => sent.length >= 5 && take());
    expect(revisionsOf(batch)).toEqual(everyCluster(["p1", "p2", "p3", "s1", "s2"], shas.v2));
    expect(batch.map((s) => s.generation)).toEqual([2n, 2n, 2n, 2n, 2n]);
    expect(delivery.stats.renders).toBe(4);
    v2digests = digestsOf(batch);
    // Each stream had a set: the new bundle of its own target rides along, in one message per target.
    expect(new Map(batch.map((s) => [s.cluster, s.bundles.map((b) => b.digest)]))).toEqual(new Map([...v2digests].map(([c, d]) => [c, [d]])));
    const message = (c: string) => batch.find((s) => s.cluster === c)!.message;
    expect(message("p3")).toBe(message("p1"));
    expect(message("s2")).toBe(message("s1"));
    expect(message("s1")).not.toBe(message("p1"));
  });

  it("refuses an unsigned webhook and fetches nothing", async () => {
    const req = { url: "/hooks/apps", method: "POST", headers: { "x-gitlab-token": "nope" } } as unknown as http.IncomingMessage;
    expect((await webhookRoute()(req, Buffer.from("{}"))).status).toBe(401);
  });

  it("records a broken commit on the App with file and line, keeping every assignment", async () => {
    const before = await store.db.assignment.findMany({ orderBy: { clusterName: "asc" } });
    shas.broken = commit({ "web/base/deployment.yaml": deployment("nginx:3.0").replace("replicas: 1", "replicas: [1") }, "broken");
    expect(await hook()).toBe(202);
    const app = await until("app error", async () => {
      const { app } = await delivery.getApp("web");
      return app.error ? app : undefined;
    });
    expect(app.errorRevision).toBe(shas.broken);
    expect(app.error).toMatch(/target staging: web\/base\/deployment\.yaml:5: kustomize build web\/overlays\/staging: did not find expected/);
    expect(app.revision).toBe(shas.v2);
    expect(await store.db.assignment.findMany({ orderBy: { clusterName: "asc" } })).toEqual(before);
    expect(take()).toEqual([]);
  });

  it("delivers a git revert like any commit", async () => {
    git("revert", "--no-edit", "HEAD");
    shas.reverted = git("rev-parse", "HEAD");
    expect(await hook()).toBe(202);
    const batch = await until("revert pushed", async () => sent.length >= 5 && take());
    expect(revisionsOf(batch)).toEqual(everyCluster(["p1", "p2", "p3", "s1", "s2"], shas.reverted));
    expect(digestsOf(batch)).toEqual(v2digests);
    // The streams were last sent these bundles: none rides again.
    expect(batch.flatMap((s) => s.bundles)).toEqual([]);
    expect((await delivery.getApp("web")).app.error).toBe("");
  });

  it("moves the app when a cluster's labels change, touching only that cluster", async () => {
    await store.db.cluster.update({ where: { name: "d1" }, data: { adminLabels: JSON.stringify({ env: "staging" }) } });
    await delivery.clusterChanged("d1");
    await store.db.cluster.update({ where: { name: "p1" }, data: { adminLabels: JSON.stringify({ env: "dev" }) } });
    await delivery.clusterChanged("p1");
    const batch = take();
    expect(batch.map((s) => s.cluster)).toEqual(["d1", "p1"]);
    expect(batch[0]!.assignments[0]).toMatchObject({ target: "staging", bundleDigest: v2digests.get("s1") });
    expect(batch[1]!.assignments).toEqual([]);
    await delivery.clusterChanged("u1");
    expect(take()).toEqual([]);
  });

  it("pins to an older revision by short SHA and unpins", async () => {
    await expect(delivery.pin("web", "deadbeef", ACTOR)).rejects.toMatchObject({ reason: "NOT_FOUND" });
    await expect(delivery.pin("web", shas.broken!, ACTOR)).rejects.toMatchObject({ reason: "FAILED_PRECONDITION" });
    const pinned = await delivery.pin("web", shas.v1!.slice(0, 8), ACTOR);
    expect(pinned).toMatchObject({ pinnedRevision: shas.v1, revision: shas.v1 });
    // d1 moved to staging and p1 to dev in the test before.
    const matching = ["d1", "p2", "p3", "s1", "s2"];
    expect(revisionsOf(take())).toEqual(everyCluster(matching, shas.v1));
    const unpinned = await delivery.pin("web", "", ACTOR);
    expect(unpinned).toMatchObject({ pinnedRevision: "", revision: shas.reverted });
    expect(revisionsOf(take())).toEqual(everyCluster(matching, shas.reverted));
    const actions = (await store.db.auditEvent.findMany({ where: { actor: ACTOR } })).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["source.apply", "app.apply", "app.pin", "app.unpin"]));
  });

  it("aggregates reported status per app and per cluster", async () => {
    const report = create(StatusReportSchema, { apps: [{ app: "web", revision: shas.reverted, bundleDigest: v2digests.get("s1"), sync: SyncState.SYNCED, health: HealthState.HEALTHY }] });
    await delivery.events.status("s1", report);
    await delivery.events.status("s2", create(StatusReportSchema, { apps: [{ app: "web", revision: shas.v1, sync: SyncState.SYNCED, health: HealthState.PROGRESSING }] }));
    const [summary] = await delivery.listApps();
    expect(summary).toMatchObject({ name: "web", clustersMatched: 5, clustersSynced: 1, clustersHealthy: 1 });
    expect(summary!.targets!.map((t) => [t.name, t.clusters, t.selector])).toEqual([["staging", 3, "env=staging"], ["prod", 2, "env in (prod)"]]);
    const { clusters } = await delivery.getApp("web");
    expect(clusters.find((c) => c.cluster === "s2")).toMatchObject({ desiredRevision: shas.reverted, appliedRevision: shas.v1, health: HealthState.PROGRESSING });
  });

  it("applies nothing from a batch with one bad document", async () => {
    await expect(delivery.apply(`${APP.replace("name: web", "name: api")}---
${APP.replace("source: apps", "source: nope")}`, "bad.yaml", ACTOR))
      .rejects.toMatchObject({ reason: "INVALID_ARGUMENT", message: expect.stringMatching(/bad\.yaml: App\/web: spec\.source: no Source named "nope"/) });
    expect(await store.db.app.count()).toBe(1);
  });

  it("delivers a commit that a hub fetched but died before delivering, once restarted (level-triggered)", async () => {
    await delivery.stop();
    shas.v4 = commit({ "web/base/deployment.yaml": deployment("nginx:4.0") }, "v4");
    // What the dying hub left: the Source's fetch recorded, no App reconciled.
    await store.db.source.update({ where: { name: "apps" }, data: { lastRevision: shas.v4 } });
    take();
    delivery = createDelivery({ db: store.db, log: pino({ level: "silent" }), dataDir: tmp, sessions, heartbeatTimeoutMs: 30_000 });
    delivery.start();
    await until("v4 delivered after the restart", async () => (await delivery.getApp("web")).app.revision === shas.v4);
    await until("v4 pushed", async () => sent.filter((s) => s.assignments[0]?.revision === shas.v4).length === 5);
    take();
  });

  it("refuses to delete a Source in use, deletes an App and its assignments", async () => {
    await expect(delivery.deleteResource("Source", "apps", ACTOR)).rejects.toMatchObject({ reason: "FAILED_PRECONDITION", message: expect.stringContaining("web") });
    await expect(delivery.deleteResource("App", "nope", ACTOR)).rejects.toMatchObject({ reason: "NOT_FOUND" });
    await delivery.deleteResource("App", "web", ACTOR);
    const batch = take();
    expect(Object.fromEntries(batch.map((s) => [s.cluster, s.assignments]))).toEqual(Object.fromEntries(["d1", "p2", "p3", "s1", "s2"].map((c) => [c, []])));
    expect(await store.db.assignment.count()).toBe(0);
    await delivery.deleteResource("Source", "apps", ACTOR);
    expect(await delivery.listSources()).toEqual([]);
  });
});
