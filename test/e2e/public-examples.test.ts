// A repository shaped like the public GitOps examples (Argo CD, Fleet, Flux), delivered to three clusters.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGitFleet, waitClusterApp, type GitFleet } from "../lib/git-fleet.js";
import { ROOT } from "../lib/processes.js";
import { appYaml } from "../lib/definitions.js";

const FIXTURE = join(ROOT, "test/fixtures/public-examples");
const files = Object.fromEntries(
  readdirSync(FIXTURE, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => [relative(FIXTURE, join(e.parentPath, e.name)), readFileSync(join(e.parentPath, e.name), "utf8")]),
);
const CLUSTERS = { dev: "env=dev", staging: "env=staging", production: "env=production" };
const everywhere = "clusterSelector: {matchExpressions: [{key: env, operator: In, values: [dev, staging, production]}]}";
const APPS = [
  appYaml("guestbook", "guestbook", `  targets: [{name: all, ${everywhere}}]\n`),
  appYaml("podinfo", "podinfo", `  targets:
  - {name: production, clusterSelector: {matchLabels: {env: production}}, overlay: overlays/production}
  - {name: staging, clusterSelector: {matchLabels: {env: staging}}, overlay: overlays/staging}
  - {name: dev, clusterSelector: {matchLabels: {env: dev}}, overlay: base}
`),
  appYaml("kustomize-guestbook", "kustomize-guestbook", `  targets: [{name: all, ${everywhere}, namespace: kustomize-guestbook}]\n`),
].join("---\n");

describe("the shape of the public example repositories on three clusters", () => {
  let f: GitFleet;
  beforeAll(async () => {
    f = await startGitFleet("public-examples", CLUSTERS, files);
  });
  afterAll(() => f?.close());

  it("delivers a plain-YAML app, a base with an overlay per environment and a kustomize app into a new namespace", async () => {
    expect(await f.apply(APPS)).toContain("app/kustomize-guestbook created");
    for (const app of ["guestbook", "podinfo", "kustomize-guestbook"]) {
      for (const cluster of Object.keys(CLUSTERS)) {
        await waitClusterApp(f, app, cluster, "Synced and Healthy", (c) => c.sync === "SYNC_STATE_SYNCED" && c.health === "HEALTH_STATE_HEALTHY", 90_000);
      }
      expect(await f.app(app)).toMatchObject({ clustersMatched: 3, clustersSynced: 3, clustersHealthy: 3 });
    }
    const get = (cluster: string, apiVersion: string, kind: string, name: string, ns: string) => f.clusters[cluster]!.sim.store.get(apiVersion, kind, name, ns);
    type Deployment = { spec: { replicas: number; template: { spec: { containers: { env: { value: string }[] }[] } } } };
    const podinfo = (cluster: string) => get(cluster, "apps/v1", "Deployment", "podinfo", "podinfo") as unknown as Deployment;
    expect([podinfo("dev").spec.replicas, podinfo("staging").spec.replicas, podinfo("production").spec.replicas]).toEqual([1, 2, 3]);
    expect(podinfo("production").spec.template.spec.containers[0]!.env[0]!.value).toBe("production");
    for (const cluster of Object.keys(CLUSTERS)) {
      expect(get(cluster, "v1", "Service", "guestbook-ui", "default")).toBeDefined();
      expect(get(cluster, "v1", "Namespace", "kustomize-guestbook", "")!.metadata.labels).toMatchObject({ "app.kubernetes.io/managed-by": "gitfleet" });
      expect(get(cluster, "apps/v1", "Deployment", "kustomize-guestbook-ui", "kustomize-guestbook")).toBeDefined();
    }
  });
});
