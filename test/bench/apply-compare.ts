// The agent applying one bundle of M objects to a fresh kube-sim, against
// `kubectl apply --server-side -f` of the same manifests to another fresh kube-sim.
import { fork } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import { canonicalize, type KubeObject } from "@gitfleet/shared";
import { startKubeSim } from "../kube-sim/index.js";
import { run } from "../lib/processes.js";
import { profileArgs } from "./hosts.js";

export interface ApplyComparison {
  agentMs: number[];
  kubectlMs: number[];
  objects: number;
  /** The agent's API requests in one apply, by verb and resource. */
  agentRequests: Record<string, number>;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
export const medianOf = median;

export async function renderOverlay(overlayDir: string): Promise<string> {
  const r = await run("kubectl", ["kustomize", overlayDir]);
  if (r.code !== 0) throw new Error(`kubectl kustomize ${overlayDir}: ${r.stderr}`);
  return r.stdout;
}

export async function compareApply(dir: string, manifests: string, runs: number, readyDelayMs: number): Promise<ApplyComparison> {
  await mkdir(dir, { recursive: true });
  const objects = parseAllDocuments(manifests).map((d) => d.toJS() as KubeObject).filter(Boolean);
  const bundle = canonicalize(objects);
  const file = join(dir, "manifests.yaml");
  await writeFile(file, manifests);
  const out: ApplyComparison = { agentMs: [], kubectlMs: [], objects: objects.length, agentRequests: {} };
  for (let i = 0; i < runs; i++) {
    // Agent: fresh cluster, fresh process, cold discovery.
    const a = await startKubeSim({ readyDelayMs });
    try {
      const r = await agentApply(a.kubeconfig(), bundle);
      out.agentMs.push(r.ms);
      out.agentRequests = r.requests;
      check(a.store.list("v1", "ConfigMap", "bench").length > 0, "agent apply left no ConfigMaps");
    } finally {
      await a.close();
    }
    // kubectl: fresh cluster, fresh discovery cache.
    const k = await startKubeSim({ readyDelayMs });
    try {
      const kc = join(dir, `kubectl-${i}.kubeconfig`);
      await k.writeKubeconfig(kc);
      const t = performance.now();
      const r = await run("kubectl", ["apply", "--server-side", "-f", file, "--kubeconfig", kc, "--cache-dir", join(dir, `kubectl-cache-${i}`)]);
      const ms = performance.now() - t;
      if (r.code !== 0) throw new Error(`kubectl apply --server-side failed: ${r.stderr}`);
      out.kubectlMs.push(ms);
      check(k.store.list("v1", "ConfigMap", "bench").length > 0, "kubectl apply left no ConfigMaps");
    } finally {
      await k.close();
    }
  }
  return out;
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(what);
}

function agentApply(kubeconfig: string, bundle: string): Promise<{ ms: number; requests: Record<string, number> }> {
  const child = fork(fileURLToPath(new URL("./apply-agent.js", import.meta.url)), [], { stdio: ["ignore", "ignore", "pipe", "ipc"], execArgv: profileArgs("apply"), env: { ...process.env, GITFLEET_LOG_LEVEL: "warn" } });
  let err = "";
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    child.once("message", (m: { ms?: number; requests?: Record<string, number>; error?: string }) => (m.ms !== undefined ? resolve({ ms: m.ms, requests: m.requests ?? {} }) : reject(new Error(m.error))));
    child.once("exit", (code) => reject(new Error(`apply-agent exited ${code}: ${err}`)));
    child.send({ kubeconfig, bundle });
  });
}
