// `npm run demo`: a hub on embedded SQLite, a local Git repo with a sample app (base plus
// staging and prod overlays), three kube-sim clusters with different labels and their agents.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { cliOk, startHub } from "../lib/fleet.js";
import { createRepo, SAMPLE_REPO } from "../lib/git.js";
import { runAgent, simCluster, type SimCluster } from "../lib/clusters.js";
import { BIN, stopAll, waitFor } from "../lib/processes.js";

const { values } = parseArgs({ options: { "exit-when-ready": { type: "boolean", default: false }, dir: { type: "string" } } });
const dir = values.dir ?? (await mkdtemp(join(tmpdir(), "gitfleet-demo-")));
const clusters: SimCluster[] = [];

async function main(): Promise<void> {
  const repo = createRepo(join(dir, "git", "apps"), SAMPLE_REPO);
  const hub = await startHub(join(dir, "hub"));
  const token = (await cliOk(hub, ["token", "create", "--description", "demo"])).trim();
  for (const [name, labels] of [["staging-eu", "env=staging,region=eu"], ["prod-eu", "env=prod,region=eu"], ["prod-us", "env=prod,region=us"]] as const) {
    const c = await simCluster(dir, name, labels);
    clusters.push(c);
    runAgent(hub, c, token, ["--resync", "10s"]);
  }
  const fleetFile = join(dir, "fleet.yaml");
  await writeFile(
    fleetFile,
    `apiVersion: gitfleet.dev/v1
kind: Source
metadata: {name: apps}
spec: {url: "file://${repo.dir}", branch: main, interval: 10s}
---
apiVersion: gitfleet.dev/v1
kind: App
metadata: {name: web}
spec:
  source: apps
  path: web
  targets:
  - {name: staging, clusterSelector: {matchLabels: {env: staging}}, overlay: overlays/staging}
  - {name: prod, clusterSelector: {matchLabels: {env: prod}}, overlay: overlays/prod}
`,
  );
  await cliOk(hub, ["apply", "-f", fleetFile]);
  await waitFor("web to be Synced and Healthy on all three clusters", async () => {
    const apps = JSON.parse(await cliOk(hub, ["app", "list", "-o", "json"])) as { clustersSynced?: number; clustersHealthy?: number }[];
    return apps[0]?.clustersSynced === 3 && apps[0]?.clustersHealthy === 3;
  }, 60_000);

  const cli = `node ${BIN.cli} --data-dir ${hub.dataDir}`;
  console.log(`
gitfleet demo is running (files in ${dir}); Ctrl-C stops everything.

  ${cli} cluster list
  ${cli} app list
  ${cli} app show web
  ${cli} source show apps
  ${cli} drift

Change Git and watch it roll out (the source polls every 10s):
  cd ${repo.dir} && sed -i 's/greeting: hello/greeting: hi/' web/base/configmap.yaml && git commit -qam hi

Talk to a cluster with the real kubectl, and make drift the agent heals:
  kubectl --kubeconfig ${clusters[1]!.kubeconfig} -n web get deploy,cm,svc
  kubectl --kubeconfig ${clusters[1]!.kubeconfig} -n web scale deploy/web --replicas=7
  ${cli} drift show --cluster ${clusters[1]!.name} --history

Move a cluster between targets by label:
  ${cli} cluster label prod-us env=staging
`);
  if (values["exit-when-ready"]) await shutdown(0);
}

async function shutdown(code: number): Promise<void> {
  // A binary that does not stop cleanly on SIGTERM is a failure of the demo too.
  const stopped = await stopAll().then(
    () => true,
    (err: Error) => (console.error(`demo: ${err.message}`), false),
  );
  await Promise.all(clusters.map((c) => c.sim.close()));
  if (!values.dir) await rm(dir, { recursive: true, force: true });
  process.exit(stopped ? code : 1);
}

process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));
main().catch(async (err: unknown) => {
  console.error(`demo failed: ${(err as Error).message}`);
  await shutdown(1);
});
