// `npm run demo`: the demo fleet (a hub, a Git repo with a sample app, three kube-sim clusters and
// their agents), left running with the dashboard URL, its login token and CLI commands to try.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startDemoFleet } from "../lib/demo-fleet.js";
import type { SimCluster } from "../lib/clusters.js";
import { BIN, stopAll } from "../lib/processes.js";

const { values } = parseArgs({ options: { "exit-when-ready": { type: "boolean", default: false }, dir: { type: "string" } } });
const dir = values.dir ?? (await mkdtemp(join(tmpdir(), "gitfleet-demo-")));
let clusters: SimCluster[] = [];

async function main(): Promise<void> {
  const fleet = await startDemoFleet(dir);
  clusters = fleet.clusters;
  const { hub, repo } = fleet;
  const cli = `node ${BIN.cli} --data-dir ${hub.dataDir}`;
  console.log(`
gitfleet demo is running (files in ${dir}); Ctrl-C stops everything.

Dashboard: ${fleet.dashboardUrl}
  sign in with the admin token: ${fleet.adminToken}

  ${cli} cluster list
  ${cli} app list
  ${cli} app show web
  ${cli} source show apps
  ${cli} drift

Change Git and watch it roll out in stages (the source polls every 10s): staging first, 5s of
bake time, then the prod clusters one at a time:
  cd ${repo.dir} && sed -i 's/greeting: hello/greeting: hi/' web/base/configmap.yaml && git commit -qam hi
  ${cli} rollout status web --watch
  ${cli} explain web --cluster prod-us
  ${cli} audit --app web
A commit whose workload never gets ready is stopped in staging and rolled back:
  cd ${repo.dir} && sed -i 's/nginx:1.27/nginx:broken/' web/base/deployment.yaml && git commit -qam broken

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
