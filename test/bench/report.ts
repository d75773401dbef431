// Percentiles, the JSON result's shape, and the printed table with targets beside the figures.
import { CHANGED_PER_COMMIT } from "./repo.js";

export interface BenchResult {
  agents: "sim" | "protocol";
  clusters: number;
  objects: number;
  overlays: number;
  /** Per-region values (substitute); 0: none. */
  regions: number;
  database: string;
  registration_s: number;
  registration_per_s: number;
  /** Start of registration to the first agent's stream up. */
  registration_first_link_s: number;
  initial_delivery_s: number;
  delivery_p50_s: number;
  delivery_p95_s: number;
  delivery_p99_s: number;
  delivery_max_s: number;
  delivery_wall_s: number;
  delivery_hub_all_s: number;
  /** Webhook to each cluster's Synced+Healthy status stored in the hub's database. */
  status_stored_p50_s: number;
  status_stored_p99_s: number;
  status_stored_all_s: number;
  /** App statuses agents sent during the commit, and rows the hub wrote for them (coalesced). */
  status_reports_per_commit: number;
  status_writes_per_commit: number;
  statuses_written_per_s: number;
  hub_fanout_p50_s: number | null;
  hub_fanout_max_s: number | null;
  hub_poll_max_ms: number;
  hub_polls_during_delivery: number;
  hub_cpu_per_poll_ms: number;
  renders_per_commit: number;
  distinct_overlays: number;
  /** Distinct (overlay, region) pairs among the clusters: what renders per commit should be. */
  distinct_inputs: number;
  pushes_per_commit: number;
  /** Bundles the hub sent per commit inline on AssignmentSets, and served by GetBundle calls. */
  bundles_inline_per_commit: number;
  bundles_fetched_per_commit: number;
  hub_peak_rss_mb: number;
  hub_cpu_s: number;
  hub_cpu_registration_s: number;
  hub_cpu_delivery_s: number;
  agent_rss_mb_per_cluster: number;
  agent_hosts_cpu_s: number;
  sim_hosts_cpu_s: number;
  cpu_by_phase: Record<string, { hub_s: number; agents_s: number; sims_s: number; wall_s: number; hub_peak_rss_mb: number }>;
  sim_rss_mb_per_cluster: number;
  database_rows: Record<string, number>;
  database_size_mb: number;
  bytes_to_agents: number;
  bytes_to_agents_per_commit: number;
  bytes_to_agents_by_method: Record<string, number>;
  hub_cpu_at_rest_pct: number | null;
  kube_requests_per_cluster_per_commit: Record<string, number>;
  drift_clusters: number;
  drift_report_s: number | null;
  drift_note?: string;
  apply_agent_s: number | null;
  apply_kubectl_s: number | null;
  apply_ratio: number | null;
  apply_agent_running_s: number | null;
  apply_ratio_running: number | null;
  apply_agent_cpu_s: number | null;
  apply_agent_running_cpu_s: number | null;
  /** kubectl's whole process (start, discovery, OpenAPI, apply), user + system. */
  apply_kubectl_cpu_s: number | null;
  /** Agent CPU in the apply (fresh process) / kubectl's: what the machine's load does not change. */
  apply_cpu_ratio: number | null;
  /** A fresh agent process before its first apply (Node's start and imports): not in apply_agent_s. */
  apply_agent_startup_s: number | null;
  apply_agent_startup_cpu_s: number | null;
  /** Then its start-up with the cluster, as startAgent's before it dials the hub (GET /version opens the API server connection; the runner's start): not in apply_agent_s. */
  apply_agent_connect_s: number | null;
  apply_agent_connect_cpu_s: number | null;
  /** kube-sim's CPU serving one apply of the agent, and of kubectl (the bench process's CPU meanwhile). */
  apply_sim_cpu_agent_s: number | null;
  apply_sim_cpu_kubectl_s: number | null;
  /** The machine's 1, 5 and 15 minute load averages at the end of the run. */
  load_average: number[];
  apply_agent_requests: Record<string, number>;
  apply_runs: { agent_ms: number[]; agent_running_ms: number[]; kubectl_ms: number[]; kubectl_cpu_ms: number[] };
  memory_bundle: { objects: number; synced_s: number; healthy_s: number; agent_rss_mb: number; agent_heap_mb: number; heap_kb_per_object: number; cached_objects: number } | null;
  host_nice: number;
  hub_node_flags: string;
  per_process: number;
  /** Protocol agents dialled per second (0: all at once). */
  connect_rate: number;
  agent_resync_ms: number;
  agent_drift_interval_ms: number;
  machine: { cpus: number; memory_gb: number; node: string };
  total_s: number;
}

/** --registration-only: registration and the hub at rest, nothing after. */
export interface RegistrationResult extends Pick<BenchResult, "clusters" | "database" | "registration_s" | "registration_per_s" | "registration_first_link_s" | "hub_cpu_registration_s" | "hub_cpu_at_rest_pct" | "hub_peak_rss_mb" | "connect_rate" | "host_nice" | "load_average"> {
  registration_only: true;
}

/** Nearest-rank percentile. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(2)} MB`;
const s = (x: number | null) => (x === null ? "n/a" : `${x.toFixed(2)} s`);
const verdict = (ok: boolean | undefined) => (ok === undefined ? "" : ok ? "met" : "MISSED");

function requestsPerCommit(r: BenchResult): number {
  return Object.values(r.kube_requests_per_cluster_per_commit).reduce((n, v) => n + v, 0);
}

/** "GET 118, PATCH 13" from per-resource counts ("GET deployments": 60, ...). */
function byVerb(counts: Record<string, number>): string {
  const verbs = new Map<string, number>();
  for (const [k, v] of Object.entries(counts)) {
    const verb = k.replace(/ [^ ]+$/, "");
    verbs.set(verb, (verbs.get(verb) ?? 0) + v);
  }
  return [...verbs].map(([k, v]) => `${k} ${Math.round(v * 10) / 10}`).join(", ") || "none";
}

export function formatTable(r: BenchResult): string {
  const protocol = r.agents === "protocol";
  // The goals of issue 13 are for 10,000 protocol agents; the older ones for 1,000 simulated clusters.
  const atScale = protocol ? r.clusters >= 10_000 : r.clusters >= 1000;
  const scaleNote = protocol ? "(N<10000)" : "(N<1000)";
  const goal = (ok: boolean) => (atScale ? verdict(ok) : scaleNote);
  const rows: [string, string, string, string][] = [
    ["registration (all agents Connected)", s(r.registration_s), protocol ? "< 60 s at N=10000" : "", protocol ? goal(r.registration_s < 60) : ""],
    ["  registration rate", `${r.registration_per_s} clusters/s`, "", ""],
    ...(protocol ? [] : [
      ["initial delivery (apply to all Synced+Healthy)", s(r.initial_delivery_s), "", ""] as [string, string, string, string],
      ["delivery p50 (webhook to agent reporting Synced+Healthy)", s(r.delivery_p50_s), "", ""] as [string, string, string, string],
      ["delivery p95", s(r.delivery_p95_s), "", ""] as [string, string, string, string],
      ["delivery p99", s(r.delivery_p99_s), "< 5 s at N=1000", goal(r.delivery_p99_s < 5)] as [string, string, string, string],
    ]),
    ["delivery max (hub shows all Synced+Healthy)", s(r.delivery_max_s), "", ""],
    ["hub fan-out p50 / max (webhook to assignment at agent)", `${s(r.hub_fanout_p50_s)} / ${s(r.hub_fanout_max_s)}`, protocol ? "max < 5 s" : "", protocol && r.hub_fanout_max_s !== null ? goal(r.hub_fanout_max_s < 5) : ""],
    ["webhook to status stored: p50 / p99 / all", `${s(r.status_stored_p50_s)} / ${s(r.status_stored_p99_s)} / ${s(r.status_stored_all_s)}`, protocol ? "all < 10 s" : "", protocol ? goal(r.status_stored_all_s < 10) : ""],
    ["statuses per commit: received / rows written", `${r.status_reports_per_commit} / ${r.status_writes_per_commit}`, "", ""],
    ["statuses written per second (commit)", `${r.statuses_written_per_s}/s`, "", ""],
    ["renders per commit", String(r.renders_per_commit), r.regions ? `= distinct overlay x region (${r.distinct_inputs})` : `= distinct overlays (${r.distinct_overlays})`, verdict(r.renders_per_commit === r.distinct_inputs)],
    ["assignment pushes per commit", String(r.pushes_per_commit), "", ""],
    ["bundles per commit: inline / GetBundle", `${r.bundles_inline_per_commit} / ${r.bundles_fetched_per_commit}`, "", ""],
    ["hub peak RSS", `${r.hub_peak_rss_mb.toFixed(1)} MB`, protocol ? "< 1024 MB" : "< 300 MB", protocol ? goal(r.hub_peak_rss_mb < 1024) : verdict(r.hub_peak_rss_mb < 300)],
    ["hub CPU (whole run / registration / commit)", `${r.hub_cpu_s.toFixed(2)} / ${r.hub_cpu_registration_s.toFixed(2)} / ${r.hub_cpu_delivery_s.toFixed(2)} s`, "", ""],
    ["  of which the bench's status polls (commit)", `${((r.hub_polls_during_delivery * r.hub_cpu_per_poll_ms) / 1000).toFixed(2)} s (${r.hub_polls_during_delivery} x ${r.hub_cpu_per_poll_ms.toFixed(1)} ms)`, "", ""],
    ["hub CPU at rest with all agents connected", r.hub_cpu_at_rest_pct === null ? "n/a" : `${r.hub_cpu_at_rest_pct.toFixed(1)} %`, "", ""],
    ["database size / rows", `${r.database_size_mb.toFixed(1)} MB / ${Object.entries(r.database_rows).filter(([, n]) => n > 0).map(([t, n]) => `${t} ${n}`).join(", ")}`, "", ""],
    ["bytes to agents (whole run / per commit)", `${mb(r.bytes_to_agents)} / ${mb(r.bytes_to_agents_per_commit)}`, "", ""],
    ["agent RSS per cluster", `${r.agent_rss_mb_per_cluster.toFixed(2)} MB`, "", ""],
    [`drift report (${r.drift_clusters} clusters)`, s(r.drift_report_s), "", ""],
    ...(protocol ? [] : [
      ["agent API requests per cluster per commit", byVerb(r.kube_requests_per_cluster_per_commit), `<= objects changed + 2 (${CHANGED_PER_COMMIT + 2})`, verdict(requestsPerCommit(r) <= CHANGED_PER_COMMIT + 2)] as [string, string, string, string],
      ["simulation CPU (agent hosts / kube-sim hosts)", `${r.agent_hosts_cpu_s.toFixed(1)} / ${r.sim_hosts_cpu_s.toFixed(1)} s`, "", ""] as [string, string, string, string],
      [`apply ${r.objects} objects: agent (fresh process)`, s(r.apply_agent_s), "", ""] as [string, string, string, string],
      [`apply ${r.objects} objects: agent (running process)`, s(r.apply_agent_running_s), "", ""] as [string, string, string, string],
      [`  agent process CPU in the apply (fresh / running)`, `${s(r.apply_agent_cpu_s)} / ${s(r.apply_agent_running_cpu_s)}`, "", ""] as [string, string, string, string],
      [`  agent API requests for that apply`, byVerb(r.apply_agent_requests), "", ""] as [string, string, string, string],
      [`  fresh agent process before it (Node start, imports): wall / CPU`, `${s(r.apply_agent_startup_s)} / ${s(r.apply_agent_startup_cpu_s)}`, "", ""] as [string, string, string, string],
      [`  then its start-up with the cluster (GET /version, runner start): wall / CPU`, `${s(r.apply_agent_connect_s)} / ${s(r.apply_agent_connect_cpu_s)}`, "", ""] as [string, string, string, string],
      [`apply ${r.objects} objects: kubectl --server-side`, s(r.apply_kubectl_s), "", ""] as [string, string, string, string],
      [`  kubectl process CPU`, s(r.apply_kubectl_cpu_s), "", ""] as [string, string, string, string],
      [`  kube-sim CPU serving it: agent / kubectl`, `${s(r.apply_sim_cpu_agent_s)} / ${s(r.apply_sim_cpu_kubectl_s)}`, "", ""] as [string, string, string, string],
      ["apply CPU ratio agent (fresh) / kubectl", r.apply_cpu_ratio === null ? "n/a" : r.apply_cpu_ratio.toFixed(2), "", ""] as [string, string, string, string],
      ["apply ratio agent / kubectl (fresh process)", r.apply_ratio === null ? "n/a" : r.apply_ratio.toFixed(2), "<= 0.5", r.apply_ratio === null ? "" : verdict(r.apply_ratio <= 0.5)] as [string, string, string, string],
      ["apply ratio agent / kubectl (running process)", r.apply_ratio_running === null ? "n/a" : r.apply_ratio_running.toFixed(2), "<= 0.5", r.apply_ratio_running === null ? "" : verdict(r.apply_ratio_running <= 0.5)] as [string, string, string, string],
    ]),
    ...(protocol ? [["agent host CPU (protocol agents)", `${r.agent_hosts_cpu_s.toFixed(1)} s`, "", ""] as [string, string, string, string]] : []),
  ];
  const m = r.memory_bundle;
  if (m) {
    rows.push(
      [`${m.objects}-object App: Synced / Healthy`, `${s(m.synced_s)} / ${s(m.healthy_s)}`, "", ""],
      [`  agent RSS / heap after GC`, `${m.agent_rss_mb.toFixed(1)} / ${m.agent_heap_mb.toFixed(1)} MB`, "", ""],
      [`  agent heap per object, objects cached`, `${m.heap_kb_per_object.toFixed(2)} KB, ${m.cached_objects}`, "", ""],
    );
  }
  const title = `gitfleet fleet benchmark (${r.agents === "protocol" ? "protocol agents" : "full simulation"}): ${r.clusters} clusters, ${r.objects} objects, ${r.overlays} overlays${r.regions ? `, ${r.regions} regions (substitute)` : ""}, ${r.database}, ${r.machine.cpus} CPUs, node ${r.machine.node}, load average ${r.load_average.join(" ")}`;
  const w = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => row[i]!.length), ["metric", "value", "target", ""][i]!.length));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(w[i]!)).join("  ").trimEnd();
  return [title, "", line(["metric", "value", "target", ""]), line(w.map((n) => "-".repeat(n))), ...rows.map(line)].join("\n");
}

export function formatRegistration(r: RegistrationResult): string {
  return [
    `gitfleet registration benchmark: ${r.clusters} clusters, ${r.database}, dialling ${r.connect_rate || "all at once"} per s, hosts at nice ${r.host_nice}, load average ${r.load_average.join(" ")}`,
    `registration (all agents Connected): ${s(r.registration_s)} (${r.registration_per_s} clusters/s, first stream up after ${s(r.registration_first_link_s)})`,
    `hub CPU for registration: ${s(r.hub_cpu_registration_s)} (${((r.hub_cpu_registration_s / r.clusters) * 1000).toFixed(2)} ms per cluster)`,
    `hub CPU at rest with all agents connected: ${r.hub_cpu_at_rest_pct === null ? "n/a" : `${r.hub_cpu_at_rest_pct.toFixed(1)} %`}`,
    `hub peak RSS: ${r.hub_peak_rss_mb.toFixed(1)} MB`,
  ].join("\n");
}
