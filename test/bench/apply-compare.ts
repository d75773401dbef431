// The agent applying one bundle of M objects to a fresh kube-sim, against
// `kubectl apply --server-side -f` of the same manifests to another fresh kube-sim; and the
// agent's memory holding a large bundle.
import { fork } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import { canonicalize, type KubeObject } from "@gitfleet/shared";
import { startKubeSim } from "../kube-sim/index.js";
import { run } from "../lib/processes.js";
import { profileArgs } from "./hosts.js";
import type { ApplyMemory, ApplyReply, ApplyRequest } from "./apply-agent.js";

export interface ApplyComparison {
  /** A fresh agent process: its first apply, cold code included (kubectl is a fresh process too). */
  agentMs: number[];
  /** The same process's next apply, to another fresh cluster with a new client: a running agent given a new cluster. */
  agentRunningMs: number[];
  kubectlMs: number[];
  /** The agent process's CPU time in each apply (fresh process, then running). */
  agentCpuMs: number[];
  agentRunningCpuMs: number[];
  /** kubectl's CPU time (user + system, its whole process: start, discovery, OpenAPI, apply); empty without /usr/bin/time. */
  kubectlCpuMs: number[];
  /** The fresh agent process before its apply: Node's start and the agent's imports (wall and CPU), not in agentMs. */
  agentStartupMs: number[];
  agentStartupCpuMs: number[];
  /** The fresh agent's start-up with its cluster before its apply (GET /version, the runner's start), as startAgent does before it dials the hub: not in agentMs. */
  agentConnectMs: number[];
  agentConnectCpuMs: number[];
  /** kube-sim's CPU (this process's) serving one apply: the agent's (mean of its two) and kubectl's. */
  simCpuAgentMs: number[];
  simCpuKubectlMs: number[];
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
  const out: ApplyComparison = { agentMs: [], agentRunningMs: [], kubectlMs: [], agentCpuMs: [], agentRunningCpuMs: [], kubectlCpuMs: [], agentStartupMs: [], agentStartupCpuMs: [], agentConnectMs: [], agentConnectCpuMs: [], simCpuAgentMs: [], simCpuKubectlMs: [], objects: objects.length, agentRequests: {} };
  for (let i = 0; i < runs; i++) {
    // Each client gets kube-sims of its own, in this process; who goes first alternates, so neither
    // always meets a warmer (or more loaded) kube-sim.
    const clients = [() => agentRun(out, bundle, readyDelayMs), () => kubectlRun(out, dir, file, i, readyDelayMs)];
    for (const client of i % 2 ? clients.reverse() : clients) await client();
  }
  return out;
}

/** Agent: fresh clusters, fresh process, cold discovery; then the running process, another fresh cluster. */
async function agentRun(out: ApplyComparison, bundle: string, readyDelayMs: number): Promise<void> {
  const a = await startKubeSim({ readyDelayMs });
  const b = await startKubeSim({ readyDelayMs });
  try {
    const cpu = process.cpuUsage();
    const r = await agentApply({ kubeconfigs: [a.kubeconfig(), b.kubeconfig()], bundle });
    out.simCpuAgentMs.push(cpuMs(cpu) / 2);
    out.agentMs.push(r.ms[0]!);
    out.agentRunningMs.push(r.ms[1]!);
    out.agentCpuMs.push(r.cpuMs[0]!);
    out.agentRunningCpuMs.push(r.cpuMs[1]!);
    out.agentStartupMs.push(r.startup.ms);
    out.agentStartupCpuMs.push(r.startup.cpuMs);
    out.agentConnectMs.push(r.connectMs[0]!);
    out.agentConnectCpuMs.push(r.connectCpuMs[0]!);
    out.agentRequests = r.requests;
    for (const sim of [a, b]) check(sim.store.list("v1", "ConfigMap", "bench").length > 0, "agent apply left no ConfigMaps");
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}

const TIME = "/usr/bin/time";

/** kubectl: fresh cluster, fresh discovery cache; its CPU measured by /usr/bin/time when there is one. */
async function kubectlRun(out: ApplyComparison, dir: string, file: string, i: number, readyDelayMs: number): Promise<void> {
  const k = await startKubeSim({ readyDelayMs });
  try {
    const kc = join(dir, `kubectl-${i}.kubeconfig`);
    await k.writeKubeconfig(kc);
    const args = ["apply", "--server-side", "-f", file, "--kubeconfig", kc, "--cache-dir", join(dir, `kubectl-cache-${i}`)];
    const times = join(dir, `kubectl-${i}.time`);
    const timed = existsSync(TIME);
    const t = performance.now();
    const cpu = process.cpuUsage();
    const r = timed ? await run(TIME, ["-f", "%U %S", "-o", times, "kubectl", ...args], { program: true }) : await run("kubectl", args);
    const ms = performance.now() - t;
    out.simCpuKubectlMs.push(cpuMs(cpu));
    if (r.code !== 0) throw new Error(`kubectl apply --server-side failed: ${r.stderr}`);
    out.kubectlMs.push(ms);
    if (timed) out.kubectlCpuMs.push((await readFile(times, "utf8")).trim().split(/\s+/).reduce((sum, x) => sum + Number(x) * 1000, 0));
    check(k.store.list("v1", "ConfigMap", "bench").length > 0, "kubectl apply left no ConfigMaps");
  } finally {
    await k.close();
  }
}

/** This process's CPU since `from`: kube-sim serving a client (and a little process plumbing). */
function cpuMs(from: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1000;
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(what);
}

/** The agent's memory with an App of `objects` objects applied and Healthy in a fresh kube-sim. */
export async function bundleMemory(objects: KubeObject[], readyDelayMs: number): Promise<ApplyMemory & { objects: number; syncedMs: number }> {
  const sim = await startKubeSim({ readyDelayMs, watchHistory: objects.length * 4 });
  try {
    const r = await agentApply({ kubeconfigs: [sim.kubeconfig()], bundle: canonicalize(objects), memory: true }, ["--expose-gc"]);
    return { ...r.memory!, objects: objects.length, syncedMs: Math.round(r.ms[0]!) };
  } finally {
    await sim.close();
  }
}

function agentApply(req: ApplyRequest, flags: string[] = []): Promise<ApplyReply> {
  const child = fork(fileURLToPath(new URL("./apply-agent.js", import.meta.url)), [], { stdio: ["ignore", "ignore", "pipe", "ipc"], execArgv: [...flags, ...profileArgs("apply")], env: { ...process.env, GITFLEET_LOG_LEVEL: "warn" } });
  let err = "";
  child.stderr!.on("data", (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  return new Promise((resolve, reject) => {
    child.once("message", (m: ApplyReply | { error: string }) => ("error" in m ? reject(new Error(m.error)) : resolve(m)));
    child.once("exit", (code) => reject(new Error(`apply-agent exited ${code}: ${err}`)));
    child.send(req);
  });
}
