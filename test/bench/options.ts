import { parseArgs } from "node:util";

export interface BenchOptions {
  /** sim: real agents against kube-sims; protocol: agents that speak the gRPC protocol and apply nothing. */
  agents: "sim" | "protocol";
  clusters: number;
  objects: number;
  overlays: number;
  /** Per-region values (substitute): 0 is off. */
  regions: number;
  postgres?: string;
  out: string;
  /** Agents (and kube-sims) per host process. */
  perProcess: number;
  /** Clusters changed by hand for the drift measurement. */
  driftClusters: number;
  readyDelayMs: number;
  pollMs: number;
  applyRuns: number;
  /** Objects in the bundle whose agent memory is measured (0: not measured). */
  memoryObjects: number;
  /** Agent timers (ms); the agent's defaults unless given. */
  resyncMs: number;
  driftIntervalMs: number;
  keep: boolean;
  timeoutS: number;
  quiet: boolean;
  /** Niceness of the agent and kube-sim host processes (0: as the hub). */
  nice: number;
  /** Seconds at rest at the end, to measure what connected agents cost the hub when nothing changes. */
  idleS: number;
  /** Protocol agents dialled per second, over all host processes (0: all at once). */
  connectRate: number;
  /** Extra node flags for the hub process (e.g. --max-semi-space-size=4). */
  hubNodeOptions: string[];
  /** Registration, then the hub at rest (--idle), and stop: no App, no commit. */
  registrationOnly: boolean;
}

export const USAGE = `usage: npm run bench -- [--agents sim|protocol] [--clusters N] [--objects M] [--overlays K] [--regions R] [--postgres URL] [--out FILE]
       [--per-process 125] [--drift-clusters 10] [--ready-delay 100] [--poll 200] [--apply-runs 3]
       [--memory-objects 10000] [--resync 600000] [--drift-interval 600000] [--nice 10] [--idle 15] [--timeout 600] [--keep] [--quiet]
       [--connect-rate 0] [--registration-only]
  --agents          sim (default): the agent's own code against a kube-sim cluster each; protocol: agents that
                    speak the real gRPC protocol (register, Connect stream with heartbeats, GetBundle, status,
                    drift) but apply nothing, so the hub can be measured against 10,000 of them
  --clusters        clusters, each with its own agent (default 100)
  --objects         objects in the App's bundle (default 50)
  --overlays        kustomize overlays, targeted by the cluster label env (default 3)
  --regions         values per cluster: clusters get the label region (R values, round-robin) and the App
                    substitutes \${cluster.labels.region} into a ConfigMap, so renders per commit are the
                    distinct (overlay, region) pairs, whatever N (default 0: no substitution)
  --postgres        run the hub on PostgreSQL (a fresh schema bench_<random> in this database, dropped at the end unless --keep) instead of SQLite
  --out             where the JSON result goes (default bench-result.json)
  --per-process     clusters per agent host process and per kube-sim host process (default 125; with 250
                    a starved host stalls long enough for its agents' gRPC keepalives to time out;
                    protocol agents: default 500)
  --drift-clusters  clusters to change by hand for the drift measurement (default 10)
  --ready-delay     kube-sim workload readiness delay in ms; protocol agents report Healthy this long
                    after they hold the bundle (default 100)
  --poll            hub polling interval in ms for status and drift (default 200)
  --apply-runs      repetitions of the agent-vs-kubectl apply comparison; the median is kept (default 3)
  --memory-objects  also apply a bundle of this many objects with one agent and report its memory once
                    Healthy (RSS, heap after GC, cached objects; default 0 = skipped)
  --resync, --drift-interval   agent timers in ms (default 600000 each, see below)
  --connect-rate    protocol agents start (register and dial the hub) at this many per second in all, as a
                    fleet coming up over time would; 0 (default) starts them all at once, which at N=10,000
                    overflows the hub's listen queue (grpc-js listens with Node's backlog of 511)
  --nice            niceness of the simulation (agent and kube-sim host processes), so that on a small
                    machine they do not starve the hub, which in production has its own CPUs (default 10; 0 = off)
  --idle            seconds at rest at the end, to measure the hub's CPU with every agent connected (default 15)
  --registration-only  measure registration and the hub at rest (--idle) with all agents connected,
                    then stop (no App, no commit, no drift)
  --hub-node-flags  extra node flags for the hub process, e.g. --hub-node-flags=--max-semi-space-size=4
  --timeout         give up after this many seconds (default 600)
  --keep            keep the temporary directory (hub data, Git repo, logs)`;

export function parseOptions(argv: string[]): BenchOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      agents: { type: "string", default: "sim" },
      clusters: { type: "string", default: "100" },
      objects: { type: "string", default: "50" },
      overlays: { type: "string", default: "3" },
      regions: { type: "string", default: "0" },
      postgres: { type: "string" },
      out: { type: "string", default: "bench-result.json" },
      "per-process": { type: "string" },
      "drift-clusters": { type: "string", default: "10" },
      "ready-delay": { type: "string", default: "100" },
      poll: { type: "string", default: "200" },
      "apply-runs": { type: "string", default: "3" },
      "memory-objects": { type: "string", default: "0" },
      // The agents' periodic passes (every object: GET + dry-run apply every minute by default) are
      // 100k API requests a minute for 1000 simulated clusters, more than 2 cores serve; watches
      // still see the drift made by the bench at once.
      resync: { type: "string", default: "600000" },
      "drift-interval": { type: "string", default: "600000" },
      timeout: { type: "string", default: "600" },
      keep: { type: "boolean", default: false },
      quiet: { type: "boolean", default: false },
      nice: { type: "string", default: "10" },
      idle: { type: "string", default: "15" },
      "connect-rate": { type: "string", default: "0" },
      "hub-node-flags": { type: "string", default: "" },
      "registration-only": { type: "boolean", default: false },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return undefined;
  const int = (flag: string, v: string | undefined, min: number) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${flag}: want an integer >= ${min}, got "${v}"`);
    return n;
  };
  const clusters = int("clusters", values.clusters, 1);
  const agents = values.agents;
  if (agents !== "sim" && agents !== "protocol") throw new Error(`--agents: want sim or protocol, got "${agents}"`);
  return {
    agents,
    clusters,
    objects: int("objects", values.objects, 3),
    overlays: int("overlays", values.overlays, 1),
    regions: int("regions", values.regions, 0),
    postgres: values.postgres,
    out: values.out!,
    perProcess: int("per-process", values["per-process"] ?? (agents === "protocol" ? "500" : "125"), 1),
    driftClusters: Math.min(clusters, int("drift-clusters", values["drift-clusters"], 0)),
    readyDelayMs: int("ready-delay", values["ready-delay"], 0),
    pollMs: int("poll", values.poll, 10),
    // Protocol agents apply nothing: there is nothing to compare with kubectl.
    applyRuns: agents === "protocol" ? 0 : int("apply-runs", values["apply-runs"], 0),
    memoryObjects: int("memory-objects", values["memory-objects"], 0),
    resyncMs: int("resync", values.resync, 1000),
    driftIntervalMs: int("drift-interval", values["drift-interval"], 1000),
    keep: values.keep!,
    timeoutS: int("timeout", values.timeout, 10),
    quiet: values.quiet!,
    nice: int("nice", values.nice, 0),
    idleS: int("idle", values.idle, 0),
    connectRate: int("connect-rate", values["connect-rate"], 0),
    hubNodeOptions: values["hub-node-flags"]!.split(/\s+/).filter(Boolean),
    registrationOnly: values["registration-only"]!,
  };
}
