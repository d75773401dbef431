// A hub, a Git repository served on loopback and kube-sim clusters with agents: the setup of suites that push commits and read Apps.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { cliOk, removeDir, startHub, tempDir, type HubProc } from "./fleet.js";
import { createRepo, startGitDaemon, type TestRepo } from "./git.js";
import { githubPush, startClusters, type SimCluster } from "./clusters.js";
import { stopAll, waitFor } from "./processes.js";
import { sourceYaml } from "./definitions.js";
import { listApps, showApp, type AppClusterJson, type AppJson } from "./admin.js";

export const WEBHOOK_SECRET = "push-secret";
/** The hub's and agents' environment: quick heartbeats and reconnects. */
export const FLEET_ENV = { GITFLEET_HEARTBEAT_INTERVAL_S: "1", GITFLEET_RECONNECT_MAX_MS: "1000" };
/** The agents' arguments (and what a suite passes to an agent it restarts). */
export const AGENT_ARGS = ["--resync", "30s"];

export type { AppJson } from "./admin.js";
export type ClusterAppJson = AppClusterJson;

export interface GitFleet {
  hub: HubProc;
  repo: TestRepo;
  clusters: Record<string, SimCluster>;
  /** `gitfleet apply` of Source "apps" (this repository, webhook only) plus the given definitions. */
  apply(definitions: string): Promise<string>;
  /** Commits files and sends the signed webhook. */
  push(files: Record<string, string | null>, message: string): Promise<string>;
  app(name: string): Promise<AppJson | undefined>;
  show(name: string): Promise<{ app: AppJson; clusters: ClusterAppJson[] }>;
  close(): Promise<void>;
}

/** clusters: name → labels ("env=prod"); files seed the repository's first commit; hubEnv adds to the hub's environment. */
export async function startGitFleet(prefix: string, clusters: Record<string, string>, files: Record<string, string>, agentArgs: string[] = [], hubArgs: string[] = [], hubEnv: Record<string, string> = {}): Promise<GitFleet> {
  const dir = await tempDir(prefix);
  const repo = createRepo(join(dir, "git", "apps"));
  repo.commit(files, "initial import");
  const daemon = await startGitDaemon(join(dir, "git"), "apps");
  const hub = await startHub(join(dir, "hub"), hubArgs, { ...FLEET_ENV, ...hubEnv });
  const sims: Record<string, SimCluster> = {};
  const close = async () => {
    await stopAll();
    daemon.stop();
    await Promise.all(Object.values(sims).map((c) => c.sim.close()));
    await removeDir(dir);
  };
  try {
    Object.assign(sims, await startClusters(hub, dir, clusters, [...AGENT_ARGS, ...agentArgs], FLEET_ENV));
  } catch (err) {
    await close();
    throw err;
  }
  const source = sourceYaml(daemon.url("apps"), `branch: main, interval: 1h, webhookSecret: ${WEBHOOK_SECRET}`);
  let applied = 0;
  return {
    hub,
    repo,
    clusters: sims,
    async apply(definitions) {
      const file = join(dir, `definitions-${++applied}.yaml`);
      await writeFile(file, `${source}---\n${definitions}`);
      return cliOk(hub, ["apply", "-f", file]);
    },
    async push(files, message) {
      const sha = repo.commit(files, message);
      const code = await githubPush(hub.http, "apps", WEBHOOK_SECRET);
      if (code !== 202) throw new Error(`webhook answered ${code}`);
      return sha;
    },
    // Reads go through the admin API in this process: suites poll them.
    async app(name) {
      return (await listApps(hub)).find((a) => a.name === name);
    },
    show: (name) => showApp(hub, name),
    close,
  };
}

/** Polls what `gitfleet app show NAME -o json` shows until check passes for the cluster's row. */
export function waitClusterApp(f: GitFleet, app: string, cluster: string, what: string, check: (c: ClusterAppJson) => boolean, timeoutMs = 60_000): Promise<ClusterAppJson> {
  return waitFor(`${app} on ${cluster}: ${what}`, async () => (await f.show(app)).clusters.find((c) => c.cluster === cluster && check(c)), timeoutMs);
}
