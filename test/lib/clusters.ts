import { join } from "node:path";
import { createHmac } from "node:crypto";
import { request } from "node:http";
import { startKubeSim, type KubeSim } from "../kube-sim/index.js";
import { startAgent, type HubProc } from "./fleet.js";
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

/** A push event for a Source, signed the way GitHub signs it. */
export function githubPush(httpAddress: string, source: string, secret: string, signature?: string): Promise<number> {
  const body = JSON.stringify({ ref: "refs/heads/main", repository: { full_name: "fleet/apps" } });
  const sig = signature ?? `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
  const [host, port] = httpAddress.split(":");
  return new Promise((resolve, reject) => {
    const req = request({ host, port: Number(port), method: "POST", path: `/hooks/${source}`, headers: { "content-type": "application/json", "x-github-event": "push", "x-hub-signature-256": sig } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end(body);
  });
}
