import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { cliOk, startHub, type HubProc } from "./fleet.js";
import { createRepo, SAMPLE_REPO, type TestRepo } from "./git.js";
import { startClusters, type SimCluster } from "./clusters.js";
import { appYaml, sourceYaml } from "./definitions.js";
import { waitFor } from "./processes.js";
import { listApps } from "./admin.js";

export interface DemoFleet {
  hub: HubProc;
  repo: TestRepo;
  clusters: SimCluster[];
  /** The hub's admin token: what the CLI uses and the dashboard's login form takes. */
  adminToken: string;
  dashboardUrl: string;
}

export const DEMO_CLUSTERS = [
  ["staging-eu", "env=staging,region=eu"],
  ["prod-eu", "env=prod,region=eu"],
  ["prod-us", "env=prod,region=us"],
] as const;

/**
 * The demo fleet (`npm run demo`, and the dashboard's browser tests): a hub on embedded SQLite, a
 * local Git repo with the sample app (base plus staging and prod overlays), three kube-sim clusters
 * with different labels and their agents, and App web Synced and Healthy on all three, rolled out
 * in stages (staging, then prod).
 */
export async function startDemoFleet(dir: string, opts: { pollInterval?: string; files?: Record<string, string> } = {}): Promise<DemoFleet> {
  const repo = createRepo(join(dir, "git", "apps"), SAMPLE_REPO);
  if (opts.files) repo.commit(opts.files, "demo extras");
  const hub = await startHub(join(dir, "hub"));
  const clusters = Object.values(await startClusters(hub, dir, Object.fromEntries(DEMO_CLUSTERS), ["--resync", "10s"]));
  const web = appYaml("web", "web", `  targets:
  - {name: staging, clusterSelector: {matchLabels: {env: staging}}, overlay: overlays/staging}
  - {name: prod, clusterSelector: {matchLabels: {env: prod}}, overlay: overlays/prod}
  rollout:                 # staging first and a short bake, then prod one cluster at a time
    stages:
    - {name: staging, clusterSelector: {matchLabels: {env: staging}}, bakeTime: 5s}
    - {name: prod, clusterSelector: {matchLabels: {env: prod}}, maxUnavailable: 1}
`);
  const fleetFile = join(dir, "fleet.yaml");
  await writeFile(fleetFile, `${sourceYaml(`file://${repo.dir}`, `branch: main, interval: ${opts.pollInterval ?? "10s"}`)}---\n${web}`);
  await cliOk(hub, ["apply", "-f", fleetFile]);
  await waitFor("web to be Synced and Healthy on all three clusters", async () => {
    const apps = await listApps(hub);
    return apps[0]?.clustersSynced === 3 && apps[0]?.clustersHealthy === 3;
  }, 120_000);
  const adminToken = (await readFile(join(hub.dataDir, "admin-token"), "utf8")).trim();
  return { hub, repo, clusters, adminToken, dashboardUrl: `http://${hub.http}/` };
}
