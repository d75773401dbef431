import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stopAll, waitFor } from "../lib/processes.js";
import { BACKENDS, cliOk, startHub, tempDir, waitClusterState, type HubProc } from "../lib/fleet.js";
import { listApps, showApp } from "../lib/admin.js";
import { createRepo, type TestRepo } from "../lib/git.js";
import { runAgent, simCluster, type SimCluster } from "../lib/clusters.js";

// The hub's own definitions live in Git too, and an agent limited to namespaces reports what it may not touch.

const source = (url: string) => `apiVersion: gitfleet.dev/v1
kind: Source
metadata: {name: platform}
spec: {url: "${url}", branch: main, interval: 1s}
`;
const app = `apiVersion: gitfleet.dev/v1
kind: App
metadata: {name: settings}
spec:
  source: platform
  path: settings
  targets:
  - {name: all, clusterSelector: {}}
`;
const configMap = (name: string, namespace: string, value: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: ${namespace}}\ndata: {value: "${value}"}\n`;

describe.each(BACKENDS)("the hub's config repo on $name", (backend) => {
  let dir: string;
  let hub: HubProc;
  let repo: TestRepo;
  let cluster: SimCluster;

  beforeAll(async () => {
    dir = await tempDir("hub-gitops");
    repo = createRepo(join(dir, "platform"));
    repo.commit({ "fleet/source.yaml": source(`file://${repo.dir}`), "fleet/settings.yaml": app, "settings/allowed.yaml": configMap("allowed", "team-a", "1"), "settings/denied.yaml": configMap("denied", "kube-system", "1") }, "fleet definitions");
    hub = await startHub(join(dir, "hub"), [...backend.args(), "--config-repo", `file://${repo.dir}`, "--config-path", "fleet", "--config-interval", "1s"]);
    cluster = await simCluster(dir, "scoped", "team=a");
    cluster.sim.store.put({ apiVersion: "v1", kind: "Namespace", metadata: { name: "team-a" } });
    runAgent(hub, cluster, (await cliOk(hub, ["token", "create"])).trim(), ["--namespaces", "team-a", "--resync", "2s"]);
    await waitClusterState(hub, "scoped", "Connected");
  });
  afterAll(stopAll);

  it("applies Sources and Apps from the hub's config repo and follows its commits", async () => {
    const apps = await waitFor("the settings app from the config repo", async () => {
      const list = await listApps(hub);
      return list.some((a) => a.name === "settings") ? list : undefined;
    });
    expect(apps.map((a) => a.name)).toEqual(["settings"]);
    await waitFor("allowed ConfigMap applied", () => cluster.sim.store.get("v1", "ConfigMap", "allowed", "team-a") !== undefined);

    // Removing the App from the config repo removes it from the hub (and so from the clusters).
    repo.commit({ "fleet/settings.yaml": null }, "retire settings");
    await waitFor("settings app gone", async () => (await listApps(hub)).length === 0);
    await waitFor("allowed ConfigMap pruned", () => cluster.sim.store.get("v1", "ConfigMap", "allowed", "team-a") === undefined);
  });

  it("reports an object outside the agent's namespaces as a failed object, not a crash", async () => {
    repo.commit({ "fleet/settings.yaml": app }, "bring settings back");
    const failed = await waitFor("a failed object for kube-system", async () => {
      const show = await showApp(hub, "settings");
      return show.clusters[0]?.objects?.find((o) => o.action === "failed");
    });
    expect(failed.ref).toMatchObject({ name: "denied", namespace: "kube-system" });
    expect(failed.message).toContain("kube-system");
    expect(cluster.sim.store.get("v1", "ConfigMap", "denied", "kube-system")).toBeUndefined();
    expect(cluster.sim.store.get("v1", "ConfigMap", "allowed", "team-a")).toBeDefined();
    expect(cluster.agent!.child.exitCode).toBeNull();
  });
});
