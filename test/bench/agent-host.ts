// A host process for many agents: each has its own gRPC connection, credential, state dir and cluster.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { startAgent, type RunningAgent } from "@gitfleet/agent/dist/agent.js";
import { createLogger, HealthState, SyncState } from "@gitfleet/shared";
import { countKubeRequests } from "./kube-requests.js";
import { selfStats } from "./proc-stats.js";
import { receivedInto, type AgentSpec, type FromAgentHost, type ToAgentHost, type Traffic } from "./protocol.js";

const agents: RunningAgent[] = [];
const traffic: Traffic = { bytes: {}, messages: {}, kubeRequests: {} };

const reply = (msg: FromAgentHost) => process.send!(msg);
const log = createLogger("gitfleet-agent", { write: (line: string) => void process.stderr.write(line) });
countKubeRequests(traffic.kubeRequests);

interface StatusLike {
  app?: string;
  revision?: string;
  sync?: SyncState;
  health?: HealthState;
}

async function start(msg: Extract<ToAgentHost, { type: "start" }>): Promise<void> {
  const began = Date.now();
  await Promise.all(msg.agents.map((a) => startOne(msg, a)));
  reply({ type: "started", count: msg.agents.length, ms: Date.now() - began });
}

async function startOne(msg: Extract<ToAgentHost, { type: "start" }>, spec: AgentSpec): Promise<void> {
  const dir = join(msg.dir, spec.name);
  await mkdir(dir, { recursive: true });
  const kubeconfig = join(dir, "kubeconfig");
  if (spec.kubeconfig === undefined) throw new Error(`agent ${spec.name}: a full-simulation agent needs its kube-sim's kubeconfig`);
  await writeFile(kubeconfig, spec.kubeconfig);
  let linked = false;
  const synced = new Set<string>();
  const assigned = new Set<string>();
  const agent = await startAgent({
    hub: msg.hub,
    name: spec.name,
    token: msg.token,
    labels: spec.labels,
    stateDir: join(dir, "state"),
    kube: kubeconfig,
    resyncMs: msg.resyncMs,
    driftIntervalMs: msg.driftIntervalMs,
    log: log.child({ cluster: spec.name }),
    // grpc-js shares one connection among channels with the same target and options; a local
    // subchannel pool gives every agent a connection of its own, as separate processes would have.
    channelOptions: { "grpc.use_local_subchannel_pool": 1 },
    onReceive: receivedInto(traffic),
    onLink(up) {
      if (up && !linked) {
        linked = true;
        reply({ type: "linked", name: spec.name, at: Date.now() });
      }
    },
    onAssignments(set) {
      const a = set.assignments.find((x) => x.app === msg.app);
      if (!a || assigned.has(a.revision)) return;
      assigned.add(a.revision);
      reply({ type: "assigned", name: spec.name, revision: a.revision, at: Date.now() });
    },
    onSend(out) {
      const m = out.msg as { case?: string; value?: { apps?: StatusLike[] } } | undefined;
      if (m?.case !== "status") return;
      for (const s of m.value?.apps ?? []) {
        if (s.app !== msg.app || !s.revision || synced.has(s.revision)) continue;
        if (s.sync === SyncState.SYNCED && s.health === HealthState.HEALTHY) {
          synced.add(s.revision);
          reply({ type: "synced", name: spec.name, revision: s.revision, at: Date.now() });
        }
      }
    },
  });
  agent.done.catch((err: unknown) => reply({ type: "fatal", name: spec.name, message: (err as Error).message }));
  agents.push(agent);
}

process.on("message", (msg: ToAgentHost) => {
  switch (msg.type) {
    case "start":
      return void start(msg).catch((err: unknown) => reply({ type: "error", message: (err as Error).stack ?? String(err) }));
    case "drift":
      return reply({ type: "error", message: "full-simulation agents drift through their kube-sims" });
    case "stats":
      return reply({ type: "stats", stats: selfStats(), traffic, agents: agents.length });
    case "stop":
      return void Promise.all(agents.map((a) => a.stop())).finally(() => process.exit(0));
  }
});
process.on("disconnect", () => process.exit(0));
reply({ type: "ready", stats: selfStats() });
