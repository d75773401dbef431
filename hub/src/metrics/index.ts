// The hub's Prometheus metrics (prom-client). One Registry per hub, so several hubs in one process
// (tests, the benchmark) do not share counters; process metrics come with it.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

/** Seconds: from a few milliseconds (cache hits, small fleets) to minutes (big renders, slow Git). */
const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const CLUSTERS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000];

export interface HubMetrics {
  registry: Registry;
  /** A Source fetch that found a new revision (or a forced one) until its Apps' assignments are pushed. */
  deliverySeconds: Histogram;
  /** One render of (revision, path, overlay), cache misses only. */
  renderSeconds: Histogram;
  /** Connected clusters sent an AssignmentSet by one push. */
  pushFanout: Histogram;
  /** Storing one batch of agent statuses. */
  statusIngestSeconds: Histogram;
  /** App statuses received from agents, and rows written for them (fewer: the latest of each batch). */
  statusReports: Counter;
  statusWrites: Counter;
  /** Bundles sent to agents: inline on an AssignmentSet, or served by a GetBundle call. */
  bundlesSent: Counter<"via">;
  /** Unary gRPC calls by method and status code. */
  grpcSeconds: Histogram<"method" | "code">;
}

/** Counts the hub keeps anyway, read at scrape time. */
export interface ScrapeSources {
  clustersByState(): Promise<Record<string, number>>;
  agentStreams(): number;
  renders(): number;
  pushes(): number;
  leader(): boolean;
}

export function createMetrics(): HubMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const histogram = <L extends string = never>(name: string, help: string, buckets: number[], labelNames: L[] = []) =>
    new Histogram<L>({ name, help, buckets, labelNames, registers: [registry] });
  const bundlesSent = new Counter({ name: "gitfleet_bundles_sent_total", help: "Bundles sent to agents, by how: inline on an AssignmentSet, or by GetBundle.", labelNames: ["via"] as const, registers: [registry] });
  for (const via of ["inline", "get_bundle"]) bundlesSent.inc({ via }, 0);
  return {
    registry,
    deliverySeconds: histogram("gitfleet_delivery_seconds", "From fetching a new Source revision to its Apps' assignments pushed.", SECONDS),
    renderSeconds: histogram("gitfleet_render_seconds", "Rendering one (revision, path, overlay) into a Bundle (cache misses).", SECONDS),
    pushFanout: histogram("gitfleet_push_fanout_clusters", "Connected clusters sent an AssignmentSet by one push.", CLUSTERS),
    statusIngestSeconds: histogram("gitfleet_status_ingest_seconds", "Storing one batch of agent statuses.", SECONDS),
    statusReports: new Counter({ name: "gitfleet_status_reports_total", help: "App statuses received from agents.", registers: [registry] }),
    statusWrites: new Counter({ name: "gitfleet_status_writes_total", help: "App status rows written (the latest of each cluster and App per batch).", registers: [registry] }),
    bundlesSent,
    grpcSeconds: histogram("gitfleet_grpc_server_handling_seconds", "Unary gRPC calls handled, by method and status code.", SECONDS, ["method", "code"]),
  };
}

/** Registers the gauges and counters computed from state the hub already keeps. */
export function registerScrapeMetrics(m: HubMetrics, src: ScrapeSources): void {
  const registers = [m.registry];
  new Gauge({
    name: "gitfleet_clusters",
    help: "Registered clusters by state.",
    labelNames: ["state"],
    registers,
    async collect() {
      const byState = await src.clustersByState();
      for (const state of ["Pending", "Connected", "Disconnected"]) this.set({ state }, byState[state] ?? 0);
    },
  });
  new Gauge({ name: "gitfleet_agent_streams", help: "Open agent streams.", registers, collect() { this.set(src.agentStreams()); } });
  new Gauge({ name: "gitfleet_hub_leader", help: "1 while this hub holds the singleton lease (polling, rollouts, pruning); always 1 on SQLite.", registers, collect() { this.set(src.leader() ? 1 : 0); } });
  const counter = (name: string, help: string, read: () => number) =>
    new Counter({ name, help, registers, collect() { this.reset(); this.inc(read()); } });
  counter("gitfleet_renders_total", "Bundles rendered (one per distinct input: revision, path, overlay or chart, values, and the substitution values used).", src.renders);
  counter("gitfleet_assignment_pushes_total", "Assignment sets pushed to agents.", src.pushes);
}
