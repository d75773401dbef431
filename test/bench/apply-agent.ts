// Child process for the apply comparison: the agent's reconcile of one bundle into a fresh cluster,
// timed from the assignment to the agent's status report (apply, inventory and health read-back).
// Each kubeconfig is a fresh cluster, applied to in turn by a new kube client (cold discovery and
// cache): the first in a fresh process, the next ones in the now running process. Before each, what
// startAgent does before it dials the hub, timed apart: GET /version (which opens the API server
// connection) and the runner's start (which starts the inventories' informer, without waiting).
// With `memory`, it also waits for Healthy and reports the process's memory after a GC.
import { create } from "@bufbuild/protobuf";
import { AssignmentSetSchema, bundleDigest, createLogger, HealthState, SyncState } from "@gitfleet/shared";
import { createKube, type Kube } from "@gitfleet/agent/dist/kube/client.js";
import { simpleKubeconfig } from "@gitfleet/agent/dist/kube/access.js";
import { kubernetesVersion } from "@gitfleet/agent/dist/kube/version.js";
import { createRunner } from "@gitfleet/agent/dist/runner/runner.js";
import { countKubeRequests } from "./kube-requests.js";

export interface ApplyRequest {
  kubeconfigs: string[];
  bundle: string;
  memory?: boolean;
}

export interface ApplyMemory {
  rssMb: number;
  heapUsedMb: number;
  /** Heap after the run minus before it, per object in the bundle. */
  heapPerObjectKb: number;
  cachedObjects: number;
  healthyMs: number;
}

export interface ApplyReply {
  /** One time per kubeconfig. */
  ms: number[];
  /** The process's CPU time (user + system) during each apply: what the agent itself spent, whatever the machine's load. */
  cpuMs: number[];
  /** Before each apply, the agent's start-up with its cluster (GET /version, the runner's start): wall and CPU. */
  connectMs: number[];
  connectCpuMs: number[];
  /** The first apply's API requests, by verb and resource. */
  requests: Record<string, number>;
  /** From the process's start to its first apply (Node's start, the agent's imports): wall and CPU. */
  startup: { ms: number; cpuMs: number };
  memory?: ApplyMemory;
}

const counted: Record<string, number> = {};
countKubeRequests(counted);

process.once("message", (req: ApplyRequest) => {
  // performance.now() counts from the process's start.
  const cpu = process.cpuUsage();
  const startup = { ms: performance.now(), cpuMs: (cpu.user + cpu.system) / 1000 };
  void run(req).then((reply) => ({ ...reply, startup })).then(
    (reply) => process.send!(reply, () => process.exit(0)),
    (err: unknown) => process.send!({ error: (err as Error).stack ?? String(err) }, () => process.exit(1)),
  );
});

async function run(req: ApplyRequest): Promise<Omit<ApplyReply, "startup">> {
  const out: Omit<ApplyReply, "startup"> = { ms: [], cpuMs: [], connectMs: [], connectCpuMs: [], requests: {} };
  for (const kubeconfig of req.kubeconfigs) {
    for (const k of Object.keys(counted)) delete counted[k];
    const access = simpleKubeconfig(kubeconfig, process.cwd());
    if (!access) throw new Error("kube-sim's kubeconfig should be one the agent reads itself");
    const kube = createKube(access);
    try {
      const r = await applyOnce(kube, req.bundle, req.memory);
      if (!out.ms.length) out.requests = { ...counted };
      out.ms.push(r.ms);
      out.cpuMs.push(r.cpuMs);
      out.connectMs.push(r.connect.ms);
      out.connectCpuMs.push(r.connect.cpuMs);
      out.memory = r.memory;
    } finally {
      kube.close();
    }
  }
  return out;
}

const gc = (globalThis as { gc?: () => void }).gc;
const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

const since = (at: number, cpuAt: NodeJS.CpuUsage) => {
  const cpu = process.cpuUsage(cpuAt);
  return { ms: performance.now() - at, cpuMs: (cpu.user + cpu.system) / 1000 };
};

async function applyOnce(kube: Kube, bundle: string, withMemory?: boolean): Promise<{ ms: number; cpuMs: number; connect: { ms: number; cpuMs: number }; memory?: ApplyMemory }> {
  const digest = bundleDigest(bundle);
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const log = createLogger("apply-agent", { write: (line: string) => void process.stderr.write(line) });
  const [connectAt, connectCpuAt] = [performance.now(), process.cpuUsage()];
  await kubernetesVersion(kube, log);
  const runner = createRunner({
    kube,
    bundles: { get: async () => bundle, offer: () => {} },
    store: { load: async () => undefined, save: async () => {} },
    log,
    timings: { resyncMs: 3_600_000, driftIntervalMs: 3_600_000, healthRecheckMs: 500 },
  });
  await runner.start();
  const connect = since(connectAt, connectCpuAt);
  let started = 0;
  let synced = 0;
  let cpuMs = 0;
  const cpuAt = process.cpuUsage();
  const done = new Promise<number>((resolve, reject) => {
    runner.link((out) => {
      const m = out.msg as { case?: string; value?: { apps?: { sync?: SyncState; health?: HealthState; message?: string }[] } } | undefined;
      const s = m?.case === "status" ? m.value?.apps?.[0] : undefined;
      if (!s) return;
      if (s.sync !== SyncState.SYNCED) return reject(new Error(`agent apply did not sync: ${s.message}`));
      if (!synced) ({ ms: synced, cpuMs } = since(started, cpuAt));
      if (!withMemory || s.health === HealthState.HEALTHY) resolve(performance.now() - started);
    });
  });
  started = performance.now();
  runner.assignments(create(AssignmentSetSchema, {
    assignments: [{ app: "compare", target: "t", revision: "r1", bundleDigest: digest, prune: true, selfHeal: false }],
    generation: 1n,
  }));
  const healthyMs = await done;
  let memory: ApplyMemory | undefined;
  if (withMemory) {
    // Measured while the runner, its drift detector and the cache hold the app: what a running agent keeps.
    await runner.idle();
    gc?.();
    const m = process.memoryUsage();
    const objects = bundle.split("\n").filter((l) => l.trim()).length;
    memory = { rssMb: mb(m.rss), heapUsedMb: mb(m.heapUsed), heapPerObjectKb: Math.round(((m.heapUsed - heapBefore) / 1024 / objects) * 100) / 100, cachedObjects: kube.cache.size().objects, healthyMs: Math.round(healthyMs) };
  }
  await runner.stop();
  return { ms: synced, cpuMs, connect, memory };
}
