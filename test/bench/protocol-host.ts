// A host process for many protocol-level agents: each speaks the agent's real gRPC protocol with
// the agent's own link code (register with the bootstrap token, one Connect stream with
// heartbeats and reconnects, bundles inline on the AssignmentSet or by GetBundle), over a channel and credential of its own, but
// applies nothing: it reports Synced (Progressing) once it holds the bundle, and Synced and
// Healthy after a delay. So the hub can be measured against far more clusters than kube-sims fit.
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { createAgentClient, createHubClients, runLink, type Outgoing } from "@gitfleet/agent/dist/connection/agent-link.js";
import type { Identity, IdentityStore } from "@gitfleet/agent/dist/connection/credentials.js";
import { hubBundleFetcher } from "@gitfleet/agent/dist/cache/hub-fetcher.js";
import { inflateInline } from "@gitfleet/agent/dist/cache/bundle-cache.js";
import * as grpc from "@grpc/grpc-js";
import { createBackoff, createLogger, HealthState, parseBundle, SyncState, type Assignment, type AssignmentSet, type InlineBundle } from "@gitfleet/shared";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { ObjectResultSchema, type AppStatusSchema, type ObjectResult } from "@gitfleet/shared";
import { selfStats } from "./proc-stats.js";
import { receivedInto, type FromAgentHost, type ToAgentHost, type Traffic } from "./protocol.js";
import { DRIFT_OBJECT, NAMESPACE } from "./repo.js";

type Start = Extract<ToAgentHost, { type: "start" }>;
type StatusInit = MessageInitShape<typeof AppStatusSchema>;

interface ProtocolAgent {
  name: string;
  /** Reports a drift event for the app (what a real agent's watch would after a hand edit). */
  drift(app: string): boolean;
  stop(): Promise<void>;
  done: Promise<void>;
}

const agents = new Map<string, ProtocolAgent>();
const traffic: Traffic = { bytes: {}, messages: {}, kubeRequests: {} };
const reply = (msg: FromAgentHost) => process.send!(msg);
const log = createLogger("gitfleet-agent", { write: (line: string) => void process.stderr.write(line) });

// The per-object results a status carries, parsed once per bundle digest for the whole host, as
// messages: the Connect serializer's create() takes messages as they are instead of copying 50 objects per report.
const objectsByDigest = new Map<string, ObjectResult[]>();
function objectResults(digest: string, text: () => string): ObjectResult[] {
  let objects = objectsByDigest.get(digest);
  if (!objects) {
    objects = parseBundle(text()).map((o) => create(ObjectResultSchema, {
      ref: { apiVersion: o.apiVersion, kind: o.kind, namespace: o.metadata.namespace ?? "", name: o.metadata.name },
      action: "configured",
      health: "Current",
      message: "",
    }));
    objectsByDigest.set(digest, objects);
  }
  return objects;
}

function memoryIdentities(): IdentityStore & { current?: Identity } {
  const store: IdentityStore & { current?: Identity } = {
    load: async () => store.current,
    save: async (identity) => void (store.current = identity),
    describe: () => "memory",
  };
  return store;
}

function startOne(msg: Start, name: string, labels: Record<string, string>): ProtocolAgent {
  const identities = memoryIdentities();
  // A local subchannel pool: a connection of its own per agent, as separate processes would have.
  const hubs = createHubClients(msg.hub, (address) => createAgentClient(address, grpc.credentials.createInsecure(), { "grpc.use_local_subchannel_pool": 1 }, receivedInto(traffic)));
  const fetch = hubBundleFetcher(() => hubs.current(), identities);
  const statuses = new Map<string, StatusInit>();
  const timers = new Set<NodeJS.Timeout>();
  const fetched = new Map<string, ObjectResult[]>();
  let send: ((m: Outgoing) => void) | undefined;
  let current: Assignment[] = [];
  let linked = false;
  const assignedSeen = new Set<string>();
  const syncedSeen = new Set<string>();

  const report = (apps: StatusInit[]) => {
    if (!send || apps.length === 0) return;
    send({ msg: { case: "status", value: { apps } } });
    for (const s of apps) {
      if (s.app !== msg.app || !s.revision || syncedSeen.has(s.revision)) continue;
      if (s.sync === SyncState.SYNCED && s.health === HealthState.HEALTHY) {
        syncedSeen.add(s.revision);
        reply({ type: "synced", name, revision: s.revision, at: Date.now() });
      }
    }
  };
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  /** As the agent's bundle cache: the bundle sent inline with the assignment, else fetched. */
  async function deliver(a: Assignment, inline?: InlineBundle): Promise<void> {
    let objects = fetched.get(a.bundleDigest);
    if (!objects) {
      // An inline bundle is inflated and verified once per digest for the host's agents (its own CPU,
      // not the hub's); a fetched one is a GetBundle call per agent, as the hub serves each.
      const text = inline ? undefined : await fetch(a.bundleDigest);
      objects = objectResults(a.bundleDigest, () => text ?? inflateInline(inline!));
      fetched.set(a.bundleDigest, objects);
    }
    const status = (health: HealthState): StatusInit => ({ app: a.app, revision: a.revision, bundleDigest: a.bundleDigest, sync: SyncState.SYNCED, health, objects, message: "", observedAt: timestampFromDate(new Date()) });
    const still = () => current.some((x) => x.app === a.app && x.bundleDigest === a.bundleDigest);
    const progressing = status(HealthState.PROGRESSING);
    statuses.set(a.app, progressing);
    report([progressing]);
    later(msg.readyDelayMs ?? 0, () => {
      if (!still()) return;
      const healthy = status(HealthState.HEALTHY);
      statuses.set(a.app, healthy);
      report([healthy]);
    });
  }

  // As the agent does: a failed fetch is retried with jittered backoff (1 s doubling, at most 30 s) while the assignment stands.
  const fetchAndReport = (a: Assignment, inline?: InlineBundle, backoff = createBackoff(1_000, 30_000)) => {
    deliver(a, inline).catch((err: unknown) => {
      const retryMs = backoff.next();
      log.warn({ cluster: name, app: a.app, err: (err as Error).message, retryMs }, "bundle fetch failed");
      later(retryMs, () => {
        if (current.some((x) => x.app === a.app && x.bundleDigest === a.bundleDigest) && statuses.get(a.app)?.bundleDigest !== a.bundleDigest) fetchAndReport(a, undefined, backoff);
      });
    });
  };

  const handler = {
    assignments(set: AssignmentSet) {
      current = set.assignments;
      for (const a of set.assignments) {
        if (a.app === msg.app && !assignedSeen.has(a.revision)) {
          assignedSeen.add(a.revision);
          reply({ type: "assigned", name, revision: a.revision, at: Date.now() });
        }
        const known = statuses.get(a.app);
        if (known?.bundleDigest === a.bundleDigest) continue;
        fetchAndReport(a, set.bundles.find((b) => b.digest === a.bundleDigest));
      }
      for (const app of [...statuses.keys()]) if (!set.assignments.some((a) => a.app === app)) statuses.delete(app);
    },
    sync(apps: string[]) {
      report(apps.flatMap((app) => statuses.get(app) ?? []));
    },
    link(s: ((m: Outgoing) => void) | undefined) {
      send = s;
      if (s && !linked) {
        linked = true;
        reply({ type: "linked", name, at: Date.now() });
      }
      // Back on the stream: say where every App stands, as the agent does.
      if (s) report([...statuses.values()]);
    },
  };

  const abort = new AbortController();
  const done = runLink(
    { hub: msg.hub, name, token: msg.token, labels, agentVersion: "bench-protocol", kubernetesVersion: "v1.33.0", identities, credentials: grpc.credentials.createInsecure(), log: log.child({ cluster: name }), handler },
    hubs,
    abort.signal,
  ).finally(() => {
    for (const t of timers) clearTimeout(t);
    hubs.close();
  });
  return {
    name,
    done,
    drift(app) {
      const at = statuses.get(app);
      if (!send || !at) return false;
      const ref = { apiVersion: DRIFT_OBJECT.apiVersion, kind: DRIFT_OBJECT.kind, namespace: NAMESPACE, name: DRIFT_OBJECT.name };
      send({ msg: { case: "drift", value: { apps: [app], events: [{ app, ref, fields: [{ path: "data.payload", desired: "x", live: "changed by hand" }], manager: "bench-drift", firstSeen: timestampFromDate(new Date()) }] } } });
      return true;
    },
    async stop() {
      abort.abort();
      await done.catch(() => undefined);
    },
  };
}

// Dialling at --connect-rate (a real fleet connects over minutes, not in one burst that overflows the hub's accept queue).
function start(msg: Start): void {
  const began = Date.now();
  const startAgent = (a: Start["agents"][number]) => {
    const agent = startOne(msg, a.name, a.labels);
    agent.done.catch((err: unknown) => reply({ type: "fatal", name: a.name, message: (err as Error).message }));
    agents.set(a.name, agent);
  };
  const rate = msg.connectRate ?? 0;
  if (rate <= 0) msg.agents.forEach(startAgent);
  else {
    let next = 0;
    const tick = () => {
      const due = Math.min(msg.agents.length, Math.ceil(((Date.now() - began) / 1000) * rate) || 1);
      while (next < due) startAgent(msg.agents[next++]!);
      if (next < msg.agents.length) setTimeout(tick, 50);
    };
    tick();
  }
  reply({ type: "started", count: msg.agents.length, ms: Date.now() - began });
}

process.on("message", (msg: ToAgentHost) => {
  switch (msg.type) {
    case "start":
      try {
        return start(msg);
      } catch (err) {
        return reply({ type: "error", message: (err as Error).stack ?? String(err) });
      }
    case "drift": {
      const at: Record<string, number> = {};
      for (const name of msg.names) if (agents.get(name)?.drift(msg.app)) at[name] = Date.now();
      return reply({ type: "drifted", at });
    }
    case "stats":
      return reply({ type: "stats", stats: selfStats(), traffic, agents: agents.size });
    case "stop":
      return void Promise.all([...agents.values()].map((a) => a.stop())).finally(() => process.exit(0));
  }
});
process.on("disconnect", () => process.exit(0));
reply({ type: "ready", stats: selfStats() });
