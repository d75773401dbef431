// Library entry: one running agent (identity, hub client, runner, link) as a value, so that a
// process can host one agent (gitfleet-agent) or many (the fleet benchmark).
import * as grpc from "@grpc/grpc-js";
import { createLogger, type AssignmentSet, type Labels, type Logger } from "@gitfleet/shared";
import { fileAssignmentStore } from "./cache/assignment-store.js";
import { createBundleCache } from "./cache/bundle-cache.js";
import { hubBundleFetcher } from "./cache/hub-fetcher.js";
import { DEFAULT_DRIFT_INTERVAL_MS, DEFAULT_RESYNC_MS } from "./config/intervals.js";
import { createAgentClient, createHubClients, runLink, type HubClients, type LinkHandler, type Outgoing } from "./connection/agent-link.js";
import { fileIdentityStore, secretIdentityStore, type IdentityStore } from "./connection/credentials.js";
import { createKube, type Kube } from "./kube/client.js";
import { loadClusterAccess, type ClusterAccess } from "./kube/access.js";
import { kubernetesVersion } from "./kube/version.js";
import { countApiRequests } from "./metrics/api-requests.js";
import { createAgentMetrics, type AgentMetrics } from "./metrics/index.js";
import { serveMetrics, type MetricsServer } from "@gitfleet/shared/metrics-http";
import { createRunner, type Runner } from "./runner/runner.js";
import { AGENT_VERSION } from "./version.js";

import { AgentFatalError } from "./connection/agent-link.js";

export { AgentFatalError };

export interface AgentConfig {
  /** HOST:PORT of the hub's gRPC listener, or several hubs' (comma-separated): see createHubClients. */
  hub: string;
  name: string;
  /** Bootstrap token; needed only until the identity is stored. */
  token?: string;
  labels?: Labels;
  /** Identity (unless credentialSecret), persisted assignments and the bundle cache. */
  stateDir: string;
  /** The cluster to reconcile: a kubeconfig file, a loaded ClusterAccess, or a ready Kube. Without it the agent only connects. */
  kube?: string | ClusterAccess | Kube;
  /** Keep the identity in this Secret ("NAMESPACE/NAME") instead of the state dir. */
  credentialSecret?: string;
  /** Default: plaintext. */
  credentials?: grpc.ChannelCredentials;
  namespaces?: readonly string[];
  resyncMs?: number;
  driftIntervalMs?: number;
  log?: Logger;
  /** Extra gRPC channel options. Agents in one process share a connection to the same hub unless these differ. */
  channelOptions?: grpc.ChannelOptions;
  /** Observes every message received from the hub (stream messages and bundle chunks) with its encoded size. */
  onReceive?: (method: string, bytes: number) => void;
  /** Observes every message the agent sends on its stream (status, drift, heartbeats). */
  onSend?: (msg: Outgoing) => void;
  /** Called when the stream to the hub comes up (true) or goes down (false). */
  onLink?: (up: boolean) => void;
  /** Observes every AssignmentSet the hub pushes, before the runner sees it. */
  onAssignments?: (set: AssignmentSet) => void;
  /** HOST:PORT to serve Prometheus metrics on (GET /metrics); port 0 picks a free one. */
  metricsListen?: string;
}

export interface RunningAgent {
  name: string;
  kube?: Kube;
  runner?: Runner;
  /** Where the metrics are served (HOST:PORT bound), with metricsListen. */
  metricsAddress?: string;
  /** Settles when the agent stops: resolves after stop(), rejects on a fatal error (AgentFatalError). */
  done: Promise<void>;
  /** Closes the stream, stops reconciling and waits for runs in flight. */
  stop(): Promise<void>;
}

export class AgentConfigError extends Error {
  override name = "AgentConfigError";
}

/** Starts an agent: reconciles persisted assignments at once, then registers (if needed) and keeps its stream open. */
export async function startAgent(config: AgentConfig): Promise<RunningAgent> {
  const log = config.log ?? createLogger("gitfleet-agent").child({ cluster: config.name });
  const credentials = config.credentials ?? grpc.credentials.createInsecure();
  const kube = await toKube(config.kube, config.namespaces);
  if (!kube) log.warn("no cluster configured: connecting to the hub without reconciling");
  const metrics = config.metricsListen ? createAgentMetrics() : undefined;
  const telemetry = metrics && (await startTelemetry(metrics, config.metricsListen!, kube, log));
  const k8sVersion = kube ? await kubernetesVersion(kube, log) : "";
  const identities = identityStore(config.credentialSecret, config.stateDir, kube);
  const client = agentClient(config);
  const runner = kube
    ? createRunner({
        kube,
        bundles: createBundleCache(config.stateDir, hubBundleFetcher(() => client.current(), identities), log),
        store: fileAssignmentStore(config.stateDir),
        log,
        namespaces: config.namespaces,
        timings: { resyncMs: config.resyncMs ?? DEFAULT_RESYNC_MS, driftIntervalMs: config.driftIntervalMs ?? DEFAULT_DRIFT_INTERVAL_MS },
        metrics,
      })
    : undefined;
  const onLink = metrics
    ? (up: boolean) => {
        metrics.hubLink(up);
        config.onLink?.(up);
      }
    : config.onLink;
  const handler = observed(runner ?? logOnly(log), { ...config, onLink });
  const abort = new AbortController();
  try {
    await runner?.start();
  } catch (err) {
    await runner?.stop();
    if (kube && kube !== config.kube) kube.close();
    client.close();
    await telemetry?.stop();
    throw err;
  }
  const done = (async () => {
    try {
      await runLink(
        {
          hub: config.hub,
          name: config.name,
          token: config.token,
          labels: config.labels ?? {},
          agentVersion: AGENT_VERSION,
          kubernetesVersion: k8sVersion,
          identities,
          credentials,
          log,
          handler,
        },
        client,
        abort.signal,
      );
    } finally {
      await runner?.stop();
      // The cache's watches end with the agent that made them.
      if (kube && kube !== config.kube) kube.close();
      client.close();
      await telemetry?.stop();
    }
  })();
  return {
    name: config.name,
    kube,
    runner,
    metricsAddress: telemetry?.server.address,
    done,
    async stop() {
      abort.abort();
      await done.catch(() => undefined);
    },
  };
}

/** Serves the metrics and counts this agent's API server requests into them. */
async function startTelemetry(metrics: AgentMetrics, listen: string, kube: Kube | undefined, log: Logger): Promise<{ server: MetricsServer; stop(): Promise<void> }> {
  let server: MetricsServer;
  try {
    server = await serveMetrics(metrics.registry, listen, "--metrics-listen");
  } catch (err) {
    throw new AgentFatalError((err as Error).message, { cause: err });
  }
  const apiServer = kube?.server;
  const stopCounting = apiServer ? countApiRequests(apiServer, metrics.apiRequest) : () => {};
  log.info({ address: server.address }, "metrics listening");
  return {
    server,
    async stop() {
      stopCounting();
      await server.close();
    },
  };
}

async function toKube(kube: AgentConfig["kube"], namespaces: AgentConfig["namespaces"]): Promise<Kube | undefined> {
  if (kube === undefined) return undefined;
  if (typeof kube === "string") return createKube(await loadClusterAccess(kube), { namespaces });
  if ("apply" in kube) return kube;
  return createKube(kube, { namespaces });
}

function identityStore(secret: string | undefined, stateDir: string, kube: Kube | undefined): IdentityStore {
  if (!secret) return fileIdentityStore(stateDir);
  const [namespace, name, extra] = secret.split("/");
  if (!namespace || !name || extra !== undefined) throw new AgentConfigError(`credential secret "${secret}": want NAMESPACE/NAME`);
  if (!kube) throw new AgentConfigError("a credential secret needs a cluster to keep it in");
  return secretIdentityStore(kube, namespace, name);
}

/** createAgentClient per hub address, with the config's channel options and, when asked, a count of what it receives. */
function agentClient(config: AgentConfig): HubClients {
  const options: grpc.ClientOptions = { ...config.channelOptions };
  return createHubClients(config.hub, (address) => createAgentClient(address, config.credentials ?? grpc.credentials.createInsecure(), options, config.onReceive));
}

function observed(handler: LinkHandler, config: AgentConfig): LinkHandler {
  if (!config.onSend && !config.onLink && !config.onAssignments) return handler;
  return {
    assignments(set) {
      config.onAssignments?.(set);
      handler.assignments(set);
    },
    sync: (apps) => handler.sync(apps),
    link(send) {
      config.onLink?.(send !== undefined);
      const onSend = config.onSend;
      handler.link(send && onSend ? (msg) => {
        onSend(msg);
        send(msg);
      } : send);
    },
  };
}

function logOnly(log: Logger): LinkHandler {
  return {
    assignments: (set) => log.info({ assignments: set.assignments.length, generation: String(set.generation) }, "assignments received"),
    sync: (apps) => log.info({ apps }, "sync requested"),
    link: () => {},
  };
}
