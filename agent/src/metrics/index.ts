// The agent's Prometheus metrics (prom-client), served by --metrics-listen. One Registry per agent,
// so several agents in one process (the fleet benchmark) do not share counters.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

/** Seconds: a few milliseconds (nothing changed) to minutes (CRDs to establish, a slow API server). */
const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/** What the runner, the drift detector and the link tell the metrics; a no-op without --metrics-listen. */
export interface AgentObserver {
  /** A run of an app ended: mode full or health, result "ok" or how it stopped short. */
  ran(mode: string, result: string, seconds: number): void;
  /** The objects of a full reconcile, by what it did to each (created, configured, unchanged, failed, pruned...). */
  applied(actions: readonly string[]): void;
  /** An object of app started to differ from what was applied. */
  driftEpisode(app: string): void;
  /** The stream to the hub came up or went down. */
  hubLink(up: boolean): void;
  /** One request to the Kubernetes API server. */
  apiRequest(verb: string, resource: string): void;
}

export interface AgentMetrics extends AgentObserver {
  registry: Registry;
}

export const NO_METRICS: AgentObserver = { ran() {}, applied() {}, driftEpisode() {}, hubLink() {}, apiRequest() {} };

export function createAgentMetrics(): AgentMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const runs = new Histogram({ name: "gitfleet_agent_reconcile_duration_seconds", help: "Runs of an app: full reconciles and health re-checks, by mode and result.", buckets: SECONDS, labelNames: ["mode", "result"], registers });
  const applies = new Counter({ name: "gitfleet_agent_applies_total", help: "Objects handled by full reconciles, by what was done to them.", labelNames: ["action"], registers });
  const drift = new Counter({ name: "gitfleet_agent_drift_episodes_total", help: "Objects that started to differ from what the agent applied, by app.", labelNames: ["app"], registers });
  const connected = new Gauge({ name: "gitfleet_agent_hub_connected", help: "1 while the agent's stream to the hub is up.", registers });
  const connects = new Counter({ name: "gitfleet_agent_hub_connects_total", help: "Times the stream to the hub came up.", registers });
  const requests = new Counter({ name: "gitfleet_agent_api_requests_total", help: "Requests to the Kubernetes API server, by verb and resource.", labelNames: ["verb", "resource"], registers });
  connected.set(0);
  return {
    registry,
    ran: (mode, result, seconds) => runs.observe({ mode, result }, seconds),
    applied(actions) {
      for (const action of actions) applies.inc({ action });
    },
    driftEpisode: (app) => drift.inc({ app }),
    hubLink(up) {
      connected.set(up ? 1 : 0);
      if (up) connects.inc();
    },
    apiRequest: (verb, resource) => requests.inc({ verb, resource }),
  };
}
