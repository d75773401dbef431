import { join } from "node:path";
import { createHmac } from "node:crypto";
import { request } from "node:http";
import { startKubeSim, type KubeSim } from "../kube-sim/index.js";
import { cliOk, startAgent, waitClusterState, type HubProc } from "./fleet.js";
import type { Proc } from "./processes.js";
import { atFileEnd } from "./cleanup.js";

export interface SimCluster {
  name: string;
  labels: string;
  sim: KubeSim;
  kubeconfig: string;
  stateDir: string;
  agent?: Proc;
}

/** A kube-sim cluster plus the paths its agent uses; closed when the test file ends. */
export async function simCluster(dir: string, name: string, labels: string): Promise<SimCluster> {
  const sim = await startKubeSim({ readyDelayMs: 100 });
  atFileEnd(() => sim.close());
  const kubeconfig = join(dir, `${name}.kubeconfig`);
  await sim.writeKubeconfig(kubeconfig);
  return { name, labels, sim, kubeconfig, stateDir: join(dir, `${name}-state`) };
}

export function runAgent(hub: HubProc, c: SimCluster, token: string | undefined, extra: string[] = [], env: Record<string, string> = {}): Proc {
  const args = ["--name", c.name, "--labels", c.labels, "--state-dir", c.stateDir, "--kubeconfig", c.kubeconfig, ...extra];
  c.agent = startAgent(hub, token ? ["--token", token, ...args] : args, env);
  return c.agent;
}

/**
 * The fleet of a suite: a kube-sim and an agent for each name (with its labels), all registered with
 * one new bootstrap token; resolves once every cluster is Connected. Sims close when the file ends.
 */
export async function startClusters(hub: HubProc, dir: string, clusters: Record<string, string>, agentArgs: string[] = [], env: Record<string, string> = {}): Promise<Record<string, SimCluster>> {
  const token = (await cliOk(hub, ["token", "create"])).trim();
  const fleet: Record<string, SimCluster> = {};
  for (const [name, labels] of Object.entries(clusters)) {
    fleet[name] = await simCluster(dir, name, labels);
    runAgent(hub, fleet[name], token, agentArgs, env);
  }
  for (const name of Object.keys(fleet)) await waitClusterState(hub, name, "Connected");
  return fleet;
}

export type Forge = "github" | "gitlab" | "gitea";

/** The headers each forge sends with a push: its event name and its way of proving the secret. */
function forgeHeaders(forge: Forge, body: string, secret: string): Record<string, string> {
  const hmac = createHmac("sha256", secret).update(body).digest("hex");
  if (forge === "gitlab") return { "x-gitlab-event": "Push Hook", "x-gitlab-token": secret };
  if (forge === "gitea") return { "x-gitea-event": "push", "x-gitea-signature": hmac };
  return { "x-github-event": "push", "x-hub-signature-256": `sha256=${hmac}` };
}

/** A push event for a Source as a forge sends it; `secret` signs it (a wrong one makes a forged delivery). */
export function forgePush(httpAddress: string, source: string, forge: Forge, secret: string): Promise<number> {
  const body = JSON.stringify({ ref: "refs/heads/main", repository: { full_name: "fleet/apps" } });
  return post(httpAddress, `/hooks/${source}`, body, forgeHeaders(forge, body, secret));
}

/** A push event for a Source, signed the way GitHub signs it (or with the given signature header). */
export function githubPush(httpAddress: string, source: string, secret: string, signature?: string): Promise<number> {
  const body = JSON.stringify({ ref: "refs/heads/main", repository: { full_name: "fleet/apps" } });
  const headers = forgeHeaders("github", body, secret);
  if (signature) headers["x-hub-signature-256"] = signature;
  return post(httpAddress, `/hooks/${source}`, body, headers);
}

function post(httpAddress: string, path: string, body: string, headers: Record<string, string>): Promise<number> {
  const [host, port] = httpAddress.split(":");
  return new Promise((resolve, reject) => {
    const req = request({ host, port: Number(port), method: "POST", path, headers: { "content-type": "application/json", ...headers } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end(body);
  });
}
