import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../lib/processes.js";
import { BACKENDS, cliOk, clusters, startHub, tempDir, waitClusterState, type HubProc } from "../lib/fleet.js";
import { listApps, showApp } from "../lib/admin.js";
import { createRepo, SAMPLE_REPO, startGitDaemon, type TestRepo } from "../lib/git.js";
import { githubPush, runAgent, simCluster, startClusters, type SimCluster } from "../lib/clusters.js";
import { appYaml, sourceYaml } from "../lib/definitions.js";

const SECRET = "push-secret";
const env = { GITFLEET_HEARTBEAT_INTERVAL_S: "1", GITFLEET_RECONNECT_MAX_MS: "1000" };

// The two stores' suites run side by side, the steps within each in order; processes stop when the file ends.
describe.concurrent.each(BACKENDS)("GitOps delivery end to end on $name", (backend) => {
  let hubArgs: string[];
  let dir: string;
  let hub: HubProc;
  let repo: TestRepo;
  let daemon: Awaited<ReturnType<typeof startGitDaemon>>;
  const fleet: Record<string, SimCluster> = {};
  const configMap = (c: string) => fleet[c]!.sim.store.get("v1", "ConfigMap", "web-config", "web") as { data?: Record<string, string> } | undefined;
  const replicas = (c: string) => (fleet[c]!.sim.store.get("apps/v1", "Deployment", "web", "web") as { spec?: { replicas?: number } } | undefined)?.spec?.replicas;
  const app = async () => (await listApps(hub)).find((a) => a.name === "web")!;
  const push = async (files: Record<string, string | null>, message: string) => {
    const sha = repo.commit(files, message);
    expect(await githubPush(hub.http, "apps", SECRET)).toBe(202);
    return sha;
  };
  const everywhere = (what: string, clusterNames: string[], check: (c: string) => boolean) =>
    waitFor(`${what} on ${clusterNames.join(", ")}`, () => clusterNames.every(check));

  beforeAll(async () => {
    dir = await tempDir(`delivery-${backend.name}`);
    repo = createRepo(join(dir, "git", "apps"), SAMPLE_REPO);
    daemon = await startGitDaemon(join(dir, "git"), "apps");
    hubArgs = ["--heartbeat-timeout", "15s", ...backend.args()];
    hub = await startHub(join(dir, "hub"), hubArgs, env);
    Object.assign(fleet, await startClusters(hub, dir, { staging: "env=staging", "prod-1": "env=prod", "prod-2": "env=prod", dev: "env=dev" }, ["--resync", "2s"], env));
    // Agents given a kubeconfig report the cluster's Kubernetes version.
    const versions = Object.fromEntries((await clusters(hub)).map((c) => [c.name, c.kubernetesVersion?.replace(/^v1\.\d+.*$/, "v1.x")]));
    expect(versions).toEqual({ staging: "v1.x", "prod-1": "v1.x", "prod-2": "v1.x", dev: "v1.x" });
  });

  it.sequential("delivers a commit to exactly the matching clusters with their overlay", async () => {
    const definitions = join(dir, "fleet.yaml");
    const web = appYaml("web", "web", `  targets:
  - name: staging
    clusterSelector: {matchLabels: {env: staging}}
    overlay: overlays/staging
  - name: prod
    clusterSelector: {matchExpressions: [{key: env, operator: In, values: [prod]}]}
    overlay: overlays/prod
`);
    await writeFile(definitions, `${sourceYaml(daemon.url("apps"), `branch: main, interval: 1h, webhookSecret: ${SECRET}`)}---\n${web}`);
    const out = await cliOk(hub, ["apply", "-f", definitions]);
    expect(out).toContain("source/apps created");
    expect(out).toContain("app/web created");

    await everywhere("staging overlay", ["staging"], (c) => configMap(c)?.data?.environment === "staging" && replicas(c) === 1);
    await everywhere("prod overlay", ["prod-1", "prod-2"], (c) => configMap(c)?.data?.environment === "prod" && replicas(c) === 3);
    expect(configMap("dev")).toBeUndefined();
    const a = await waitFor("all three clusters Synced and Healthy", async () => {
      const x = await app();
      return x.clustersMatched === 3 && x.clustersSynced === 3 && x.clustersHealthy === 3 ? x : undefined;
    });
    expect(a.revision).toBe(repo.git("rev-parse", "HEAD"));
    const show = await cliOk(hub, ["app", "show", "web"]);
    expect(show).toMatch(/prod-1\s+prod\s+\S+\s+\S+\s+Synced\s+Healthy/);
    const yaml = await cliOk(hub, ["get", "sources", "apps", "-o", "yaml"]);
    expect(yaml).toContain('webhookSecret: "[redacted]"');
    expect(yaml).not.toContain(SECRET);
  });

  it.sequential("refuses an unsigned webhook and delivers a signed one within seconds", async () => {
    expect(await githubPush(hub.http, "apps", SECRET, "sha256=deadbeef")).toBe(401);
    const started = Date.now();
    await push({ "web/base/configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web-config, namespace: web}\ndata: {greeting: hi, environment: base}\n" }, "say hi");
    await everywhere("greeting hi", ["staging", "prod-1", "prod-2"], (c) => configMap(c)?.data?.greeting === "hi");
    console.log(`webhook to three clusters: ${Date.now() - started} ms`);
  });

  it.sequential("serves Prometheus metrics: process, fleet gauges and the delivery histograms", async () => {
    const text = await (await fetch(`http://${hub.http}/metrics`)).text();
    const count = (name: string, ...labels: string[]) => {
      const line = text.split("\n").find((l) => l.startsWith(`${name}_count`) && labels.every((x) => l.includes(x)));
      return Number(line?.split(" ").pop() ?? NaN);
    };
    expect(text).toMatch(/^process_cpu_seconds_total \d/m);
    expect(text).toMatch(/^gitfleet_clusters\{state="Connected"\} 4$/m);
    expect(text).toMatch(/^gitfleet_agent_streams 4$/m);
    expect(Number(/^gitfleet_renders_total (\d+)$/m.exec(text)?.[1])).toBeGreaterThanOrEqual(2);
    for (const histogram of ["gitfleet_delivery_seconds", "gitfleet_render_seconds", "gitfleet_push_fanout_clusters", "gitfleet_status_ingest_seconds"]) {
      expect(count(histogram), histogram).toBeGreaterThan(0);
    }
    // The webhook's commit went to three clusters in one push.
    expect(Number(/^gitfleet_push_fanout_clusters_sum (\d+)$/m.exec(text)?.[1])).toBeGreaterThanOrEqual(3);
    expect(count("gitfleet_grpc_server_handling_seconds", 'method="ApplyResources"', 'code="OK"')).toBeGreaterThanOrEqual(1);
    expect(count("gitfleet_grpc_server_handling_seconds", 'method="Register"', 'code="OK"')).toBe(4);
  });

  it.sequential("shows a malformed commit's error while clusters keep the last good revision; a revert recovers", async () => {
    const good = repo.git("rev-parse", "HEAD");
    const bad = await push({ "web/base/service.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: web\n  namespace: web\n" }, "break the service");
    const failed = await waitFor("render error on the app", async () => {
      const x = await app();
      return x.error ? x : undefined;
    });
    expect(failed.errorRevision).toBe(bad);
    expect(failed.error).toMatch(/service\.yaml/);
    const show = await showApp(hub, "web");
    expect(Object.fromEntries(show.clusters.map((c) => [c.cluster, c.appliedRevision]))).toEqual({ "prod-1": good, "prod-2": good, staging: good });
    expect(configMap("staging")?.data?.greeting).toBe("hi");

    repo.git("revert", "--no-edit", "HEAD");
    expect(await githubPush(hub.http, "apps", SECRET)).toBe(202);
    const reverted = repo.git("rev-parse", "HEAD");
    await waitFor("revert to be Synced everywhere", async () => {
      const x = await app();
      return !x.error && x.revision === reverted && x.clustersSynced === 3;
    });
  });

  it.sequential("pins an older revision and unpins back", async () => {
    const first = repo.git("rev-list", "--max-parents=0", "HEAD");
    expect(await cliOk(hub, ["app", "pin", "web", first.slice(0, 10)])).toContain("pinned");
    await everywhere("greeting back to hello", ["staging", "prod-1", "prod-2"], (c) => configMap(c)?.data?.greeting === "hello");
    await cliOk(hub, ["app", "unpin", "web"]);
    await everywhere("greeting hi again", ["staging", "prod-1", "prod-2"], (c) => configMap(c)?.data?.greeting === "hi");
  });

  it.sequential("moves the app with cluster labels and prunes it when a cluster stops matching", async () => {
    await cliOk(hub, ["cluster", "label", "prod-2", "env=staging"]);
    await everywhere("staging overlay on prod-2", ["prod-2"], (c) => replicas(c) === 1 && configMap(c)?.data?.environment === "staging");
    await cliOk(hub, ["cluster", "label", "prod-2", "env-"]);
    await everywhere("web pruned from prod-2", ["prod-2"], (c) => configMap(c) === undefined && replicas(c) === undefined);
    await cliOk(hub, ["cluster", "label", "dev", "env=prod"]);
    await everywhere("prod overlay on dev", ["dev"], (c) => replicas(c) === 3);
  });

  it.sequential("gives a cluster that registers after the App exists its assignment at once", async () => {
    fleet.late = await simCluster(dir, "late", "env=prod");
    runAgent(hub, fleet.late, (await cliOk(hub, ["token", "create"])).trim(), ["--resync", "2s"], env);
    await everywhere("prod overlay on the late cluster", ["late"], (c) => replicas(c) === 3 && configMap(c)?.data?.greeting === "hi");
  });

  it.sequential("keeps identity and inventory across an agent restart, and prunes what left Git", async () => {
    const staging = fleet.staging!;
    await staging.agent!.stop();
    // Until the hub has seen the old stream end, "Connected" would describe the stopped agent.
    await waitClusterState(hub, "staging", "Disconnected");
    runAgent(hub, staging, undefined, ["--resync", "2s"], env);
    await waitFor("the restarted agent to load its stored identity", () => staging.agent!.output().includes("reusing stored cluster identity"));
    await waitClusterState(hub, "staging", "Connected");
    await push({ "web/base/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [namespace.yaml, configmap.yaml, deployment.yaml]\n" }, "drop the service");
    await everywhere("service pruned", ["staging"], (c) => fleet[c]!.sim.store.get("v1", "Service", "web", "web") === undefined);
    expect(configMap("staging")).toBeDefined();
  });

  it.sequential("an agent cut off from the hub keeps reconciling its last assignment", async () => {
    await hub.stop();
    const sim = fleet.staging!.sim;
    const cm = sim.store.get("v1", "ConfigMap", "web-config", "web") as { metadata: Record<string, unknown> };
    sim.store.delete("v1", "ConfigMap", "web-config", "web");
    await waitFor("the agent to re-create the ConfigMap without the hub", () => configMap("staging")?.data?.greeting === "hi");
    expect(cm.metadata.name).toBe("web-config");
    hub = await startHub(hub.dataDir, hubArgs, env, hub);
    await waitClusterState(hub, "staging", "Connected");
  });

  it.sequential("deleting the App prunes it from every cluster", async () => {
    expect(await cliOk(hub, ["delete", "app", "web"])).toContain("app/web deleted");
    await everywhere("web pruned", ["staging", "prod-1", "dev", "late"], (c) => configMap(c) === undefined && replicas(c) === undefined);
    expect(JSON.parse(await cliOk(hub, ["app", "list", "-o", "json"]))).toEqual([]);
  });
});
