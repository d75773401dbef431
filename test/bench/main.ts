// `npm run bench`: a hub (real binary), N kube-sim clusters and N real agents (or, with --agents
// protocol, N agents that speak the gRPC protocol and apply nothing), and a Git repo with an App
// of M objects in K overlays. Measures registration, delivery of a commit, renders per commit, hub
// memory and CPU, status writes, database size, bytes to agents, agent memory per cluster, drift
// reporting, and the agent's apply against kubectl's. Prints a table and writes JSON (--out).
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { cpus, loadavg, setPriority, tmpdir, totalmem } from "node:os";
import { join, resolve } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { AdminService, createClient } from "@gitfleet/shared";
import { githubPush } from "../lib/clusters.js";
import { postgresSchema } from "../lib/postgres.js";
import { startBenchHub, type BenchHub } from "./hub.js";
import { parseAllDocuments } from "yaml";
import type { KubeObject } from "@gitfleet/shared";
import { bundleMemory, compareApply, medianOf, renderOverlay } from "./apply-compare.js";
import { forkHost, profileArgs, type Host } from "./hosts.js";
import { parseOptions, USAGE, type BenchOptions } from "./options.js";
import { procStats } from "./proc-stats.js";
import { openBenchDb, type BenchDb } from "./db.js";
import type { FromAgentHost, FromSimHost, ProcStats, SimSpec, ToAgentHost, ToSimHost, Traffic } from "./protocol.js";
import { APP, baseFiles, clusterLabels, clusterName, createBenchRepo, definitions, distinctInputs, overlayName, SOURCE } from "./repo.js";
import { formatRegistration, formatTable, percentile, round, type BenchResult, type RegistrationResult } from "./report.js";

const SECRET = "bench-webhook-secret";
/** The hub image sets MALLOC_ARENA_MAX=2 (hub/Dockerfile); the bench runs the hub the same way. */
const HUB_MALLOC_ARENA_MAX = "2";

type SimHost = Host<ToSimHost, FromSimHost>;
type AgentHost = Host<ToAgentHost, FromAgentHost>;

export async function runBench(o: BenchOptions): Promise<BenchResult | RegistrationResult> {
  const say = (line: string) => o.quiet || console.error(`[bench ${elapsed()}] ${line}`);
  const began = Date.now();
  const elapsed = () => `${((Date.now() - began) / 1000).toFixed(1)}s`;
  const deadline = began + o.timeoutS * 1000;
  const left = () => Math.max(1_000, deadline - Date.now());
  const dir = await mkdtemp(join(tmpdir(), "gitfleet-bench-"));
  const hubLog = join(dir, "hub.log");
  let failed = false;
  const hosts: { sims: SimHost[]; agents: AgentHost[] } = { sims: [], agents: [] };
  let hub: BenchHub | undefined;
  let benchDb: BenchDb | undefined;
  // Ctrl-C: take the hub and every host down with the driver.
  const interrupted = (signal: NodeJS.Signals) => {
    for (const h of [...hosts.agents, ...hosts.sims]) h.child.kill("SIGKILL");
    hub?.child.kill("SIGKILL");
    console.error(`bench: ${signal}; stopped the hub and ${hosts.agents.length + hosts.sims.length} host processes (files in ${dir})`);
    process.exit(130);
  };
  process.once("SIGINT", interrupted);
  process.once("SIGTERM", interrupted);
  say(`agents=${o.agents} clusters=${o.clusters} objects=${o.objects} overlays=${o.overlays} regions=${o.regions} database=${o.postgres ? "postgresql" : "sqlite"} dir=${dir}`);
  const database = o.postgres ? postgresSchema(o.postgres, "bench") : undefined;
  try {
    const repo = createBenchRepo(join(dir, "git"), o.objects, o.overlays, o.regions > 0);

    // 1. Agent vs kubectl on one bundle, while the machine is quiet.
    let apply = { agentMs: [] as number[], agentRunningMs: [] as number[], kubectlMs: [] as number[], agentCpuMs: [] as number[], agentRunningCpuMs: [] as number[], kubectlCpuMs: [] as number[], agentStartupMs: [] as number[], agentStartupCpuMs: [] as number[], agentConnectMs: [] as number[], agentConnectCpuMs: [] as number[], simCpuAgentMs: [] as number[], simCpuKubectlMs: [] as number[], agentRequests: {} as Record<string, number> };
    if (o.applyRuns > 0) {
      const manifests = await renderOverlay(join(repo.dir, "app", "overlays", overlayName(0)));
      apply = await compareApply(join(dir, "apply"), manifests, o.applyRuns, o.readyDelayMs);
      say(`apply of ${o.objects} objects: agent ${medianOf(apply.agentMs).toFixed(0)} ms (fresh process; running process ${medianOf(apply.agentRunningMs).toFixed(0)} ms), kubectl --server-side ${medianOf(apply.kubectlMs).toFixed(0)} ms`);
    }
    // 1b. One agent holding a large App: its memory once Healthy.
    let memory: Awaited<ReturnType<typeof bundleMemory>> | undefined;
    if (o.memoryObjects > 0) {
      const objects = Object.entries(baseFiles(o.memoryObjects, 1)).filter(([f]) => !f.endsWith("kustomization.yaml"))
        .flatMap(([, text]) => parseAllDocuments(text).map((d) => d.toJS() as KubeObject));
      memory = await bundleMemory(objects, o.readyDelayMs);
      say(`${memory.objects} objects: Synced after ${(memory.syncedMs / 1000).toFixed(1)} s, Healthy after ${(memory.healthyMs / 1000).toFixed(1)} s; agent RSS ${memory.rssMb} MB, heap ${memory.heapUsedMb} MB after GC (${memory.heapPerObjectKb} KB per object), ${memory.cachedObjects} objects cached`);
    }

    // 2. Hub, admin client, token.
    const databaseUrl = database?.url;
    hub = await startBenchHub(join(dir, "hub"), hubLog, database ? ["--database-url", database.url] : [], { GITFLEET_LOG_LEVEL: process.env.GITFLEET_BENCH_HUB_LOG ?? "info", MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? HUB_MALLOC_ARENA_MAX }, [...o.hubNodeOptions, ...profileArgs("hub")]);
    const hubRss = sampleRss(hub.child.pid!);
    const hubPid = hub.child.pid!;
    benchDb = await openBenchDb(hub.dataDir, databaseUrl);
    const admin = createClient(AdminService, hub.grpc, grpc.credentials.createInsecure(), { "grpc.max_receive_message_length": 512 * 1024 * 1024 });
    const metadata = new grpc.Metadata();
    metadata.set("authorization", `Bearer ${(await readFile(join(hub.dataDir, "admin-token"), "utf8")).trim()}`);
    const md = { metadata };
    const { token } = await admin.createToken({ maxUses: o.clusters, description: "bench" }, md);

    // 3. Host processes: kube-sims apart from agents, so agent memory is measured alone.
    const names = Array.from({ length: o.clusters }, (_, i) => clusterName(i));
    const chunks = chunk(names, o.perProcess);
    const logLevel = process.env.GITFLEET_BENCH_AGENT_LOG ?? "warn";
    const protocol = o.agents === "protocol";
    for (let i = 0; i < chunks.length; i++) {
      if (!protocol) hosts.sims.push(forkHost(`./sim-host.js`, "sims", join(dir, `sim-host-${i}.log`), {}, ["error"]));
      hosts.agents.push(forkHost(protocol ? `./protocol-host.js` : `./agent-host.js`, "agents", join(dir, `agent-host-${i}.log`), { GITFLEET_LOG_LEVEL: logLevel }, ["error", "fatal", "linked", "assigned", "synced"]));
    }
    if (o.nice) for (const h of [...hosts.sims, ...hosts.agents]) setPriority(h.child.pid!, o.nice);
    const baselines = await Promise.all(hosts.agents.map((h) => h.next("ready", left()).then((m) => m.stats)));
    await Promise.all(hosts.sims.map((h) => h.next("ready", left())));
    for (const h of [...hosts.sims, ...hosts.agents]) {
      h.on((m) => {
        if (m.type === "error") console.error(`host error: ${m.message}`);
        if (m.type === "fatal") console.error(`agent ${m.name} stopped: ${m.message}`);
      });
    }
    const sims: SimSpec[] = (
      await Promise.all(hosts.sims.map((h, i) => {
        const started = h.next("started", left());
        h.send({ type: "start", names: chunks[i]!, readyDelayMs: o.readyDelayMs });
        return started;
      }))
    ).flatMap((m) => m.sims);
    if (!protocol) say(`${sims.length} kube-sim clusters up`);

    // Agent-side observations.
    const linkedAt = new Map<string, number>();
    const syncedAt = new Map<string, Map<string, number>>();
    const assignedAt = new Map<string, Map<string, number>>();
    const note = (into: Map<string, Map<string, number>>, revision: string, name: string, at: number) => {
      const byName = into.get(revision) ?? new Map<string, number>();
      byName.set(name, at);
      into.set(revision, byName);
    };
    for (const h of hosts.agents) {
      h.on((m) => {
        if (m.type === "linked") linkedAt.set(m.name, m.at);
        if (m.type === "synced") note(syncedAt, m.revision, m.name, m.at);
        if (m.type === "assigned") note(assignedAt, m.revision, m.name, m.at);
      });
    }
    const snapshot = async () => ({ at: Date.now(), hub: procStats(hubPid).cpuS, hubRssMb: hubRss.peakSince(), ...(await hostTotals(hosts)) });

    // 4. Registration: every agent registers with the token and connects.
    const atStart = await snapshot();
    const regStart = Date.now();
    const byName = new Map(sims.map((s) => [s.name, s]));
    hosts.agents.forEach((h, i) => h.send({
      type: "start",
      hub: hub!.grpc,
      token,
      dir: join(dir, "agents"),
      app: APP,
      resyncMs: o.resyncMs,
      driftIntervalMs: o.driftIntervalMs,
      readyDelayMs: o.readyDelayMs,
      connectRate: o.connectRate / hosts.agents.length,
      agents: chunks[i]!.map((name) => ({ name, labels: clusterLabels(names.indexOf(name), o.overlays, o.regions), kubeconfig: byName.get(name)?.kubeconfig })),
    }));
    let shown = Date.now();
    // Counted in the hub's database: listing 10,000 clusters through the hub every poll would cost it more than registering them.
    await poll("all agents Connected", Math.min(o.pollMs, 100), left(), async () => {
      const connected = await benchDb!.connected();
      if (Date.now() - shown > 5_000) {
        shown = Date.now();
        say(`  ${connected}/${o.clusters} Connected`);
      }
      return connected === o.clusters;
    });
    const registrationS = (Date.now() - regStart) / 1000;
    const firstLinked = Math.min(...linkedAt.values());
    const afterRegistration = await snapshot();
    say(`registration: ${registrationS.toFixed(2)} s for ${o.clusters} agents`);
    if (o.registrationOnly) {
      const idleStart = await atRest(o, snapshot, say);
      const end = await snapshot();
      return {
        registration_only: true,
        clusters: o.clusters,
        database: o.postgres ? "postgresql" : "sqlite",
        registration_s: round(registrationS),
        registration_per_s: round(o.clusters / registrationS, 0),
        registration_first_link_s: round((firstLinked - regStart) / 1000),
        hub_cpu_registration_s: round(afterRegistration.hub - atStart.hub, 2),
        hub_cpu_at_rest_pct: o.idleS > 0 ? restPct(idleStart, end) : null,
        hub_peak_rss_mb: round(procStats(hubPid).peakRssMb, 1),
        connect_rate: o.connectRate,
        host_nice: o.nice,
        load_average: loadavg().map((x) => round(x, 1)),
      };
    }

    // 5. The App, first delivery (revision 1) to every cluster.
    const applyStart = Date.now();
    const results = await admin.applyResources({ yaml: definitions(repo.dir, o.overlays, SECRET, o.regions > 0), origin: "bench" }, md);
    say(`definitions: ${results.results.map((r) => `${r.kind}/${r.name}`).join(", ")}`);
    const rev1 = repo.git("rev-parse", "HEAD");
    const progress = (rev: string) => ({ assigned: () => assignedAt.get(rev)?.size ?? 0, synced: () => syncedAt.get(rev)?.size ?? 0 });
    await waitDelivered(admin, md, benchDb, rev1, o, applyStart, left(), say, progress(rev1));
    const initialDeliveryS = (Date.now() - applyStart) / 1000;
    say(`initial delivery: ${initialDeliveryS.toFixed(2)} s until all ${o.clusters} Synced and Healthy`);

    // 6. A new commit, announced by a webhook.
    const before = { metrics: await hubMetrics(hub.http), ...(await snapshot()) };
    const rev2 = repo.commit(baseFiles(o.objects, 2, o.regions > 0), "bench app: revision 2");
    const t0 = Date.now();
    const status = await githubPush(hub.http, SOURCE, SECRET);
    if (status !== 202) throw new Error(`webhook answered ${status}`);
    const delivery = await waitDelivered(admin, md, benchDb, rev2, o, t0, left(), say, progress(rev2));
    const deliveryWallS = (Date.now() - t0) / 1000;
    const after = { metrics: await hubMetrics(hub.http), ...(await snapshot()) };
    // Per cluster: when its agent sent the status Synced and Healthy at the new revision.
    const lat = [...(syncedAt.get(rev2)?.values() ?? [])].map((t) => (t - t0) / 1000);
    const stored = delivery.storedTimes.map((t) => (t - t0) / 1000);
    const hubAllS = (delivery.allAt - t0) / 1000;
    const pushLat = [...(assignedAt.get(rev2)?.values() ?? [])].map((t) => (t - t0) / 1000);
    const rendersPerCommit = after.metrics.renders - before.metrics.renders;
    const statusReports = after.metrics.statusReports - before.metrics.statusReports;
    const statusWrites = after.metrics.statusWrites - before.metrics.statusWrites;
    say(`statuses: ${statusReports} received, ${statusWrites} rows written (p50 ${percentile(stored, 50).toFixed(2)} s, p99 ${percentile(stored, 99).toFixed(2)} s, all ${Math.max(...stored).toFixed(2)} s after the webhook)`);
    say(`hub fan-out: the last agent received the new assignment ${pushLat.length ? Math.max(...pushLat).toFixed(2) : "?"} s after the webhook`);
    say(`delivery: p50 ${percentile(lat, 50).toFixed(2)} s, p99 ${percentile(lat, 99).toFixed(2)} s, last agent ${Math.max(...lat).toFixed(2)} s, hub showed all ${hubAllS.toFixed(2)} s; ${rendersPerCommit} renders, ${after.metrics.pushes - before.metrics.pushes} pushes`);

    // 7. Drift: a person edits a managed field in K clusters.
    let driftS: number | undefined;
    let driftNote = "";
    if (o.driftClusters > 0) {
      const pick = names.filter((_, i) => i % Math.max(1, Math.floor(o.clusters / o.driftClusters)) === 0).slice(0, o.driftClusters);
      const driftStart = Date.now();
      // Full simulation: a hand edit in the kube-sim, seen by the agent's watch; protocol agents report it at once.
      await Promise.all(chunks.map((names, i) => {
        const mine = pick.filter((n) => names.includes(n));
        if (!mine.length) return undefined;
        const msg = { type: "drift", names: mine, app: APP } as const;
        if (protocol) {
          const done = hosts.agents[i]!.next("drifted", left());
          hosts.agents[i]!.send(msg);
          return done;
        }
        const done = hosts.sims[i]!.next("drifted", left());
        hosts.sims[i]!.send(msg);
        return done;
      }));
      try {
        await poll(`drift reported for ${pick.length} clusters`, o.pollMs, Math.min(left(), 120_000), async () => {
          const { rows } = await admin.getDriftSummary({}, md);
          const seen = new Set(rows.filter((r) => r.drifting > 0 && r.app === APP).map((r) => r.cluster));
          return pick.every((n) => seen.has(n));
        });
        driftS = (Date.now() - driftStart) / 1000;
        say(`drift: ${driftS.toFixed(2)} s until the hub showed all ${pick.length} clusters drifting`);
      } catch (err) {
        driftNote = (err as Error).message;
        say(`drift: not reported (${driftNote})`);
      }
    }

    // 8. At rest: what N connected agents cost the hub when nothing changes (heartbeats, keepalives).
    const idleStart = await atRest(o, snapshot, say);

    // What one status poll of this benchmark costs the hub (it polls the App list during deliveries).
    const pollCpu0 = procStats(hubPid).cpuS;
    for (let i = 0; i < 10; i++) await admin.listApps({}, md);
    const hubCpuPerPollMs = ((procStats(hubPid).cpuS - pollCpu0) / 10) * 1000;

    // 9. Resources.
    const hubStats = procStats(hubPid);
    hubRss.stop();
    const end = await snapshot();
    const dbStats = await benchDb.stats();
    const agentRssPerCluster = end.agentStats.reduce((n, st, i) => n + (st.rssMb - baselines[i]!.rssMb), 0) / o.clusters;
    const totalBytes = totalOf(end.traffic);
    const bytesPerCommit = totalOf(after.traffic) - totalOf(before.traffic);
    const cpu = (a: Snapshot, b: Snapshot & { hubRssMb: number }) => ({ hub_s: round(b.hub - a.hub, 2), agents_s: round(b.agents - a.agents, 1), sims_s: round(b.sims - a.sims, 1), wall_s: round((b.at - a.at) / 1000, 1), hub_peak_rss_mb: round(b.hubRssMb, 1) });

    const result: BenchResult = {
      clusters: o.clusters,
      objects: o.objects,
      overlays: o.overlays,
      regions: o.regions,
      database: o.postgres ? "postgresql" : "sqlite",
      agents: o.agents,
      registration_s: round(registrationS),
      registration_per_s: round(o.clusters / registrationS, 0),
      registration_first_link_s: round((firstLinked - regStart) / 1000),
      initial_delivery_s: round(initialDeliveryS),
      delivery_p50_s: round(percentile(lat, 50)),
      delivery_p95_s: round(percentile(lat, 95)),
      delivery_p99_s: round(percentile(lat, 99)),
      delivery_max_s: round(Math.max(hubAllS, ...lat)),
      delivery_hub_all_s: round(hubAllS),
      status_stored_p50_s: round(percentile(stored, 50)),
      status_stored_p99_s: round(percentile(stored, 99)),
      status_stored_all_s: round(Math.max(...stored)),
      status_reports_per_commit: statusReports,
      status_writes_per_commit: statusWrites,
      statuses_written_per_s: round(statusWrites / Math.max(...stored), 0),
      delivery_wall_s: round(deliveryWallS),
      hub_fanout_p50_s: pushLat.length ? round(percentile(pushLat, 50)) : null,
      hub_fanout_max_s: pushLat.length ? round(Math.max(...pushLat)) : null,
      hub_poll_max_ms: Math.round(delivery.pollMaxMs),
      hub_polls_during_delivery: delivery.polls,
      hub_cpu_per_poll_ms: round(hubCpuPerPollMs, 1),
      renders_per_commit: rendersPerCommit,
      distinct_overlays: Math.min(o.overlays, o.clusters),
      distinct_inputs: distinctInputs(o.clusters, o.overlays, o.regions),
      pushes_per_commit: after.metrics.pushes - before.metrics.pushes,
      bundles_inline_per_commit: after.metrics.bundlesInline - before.metrics.bundlesInline,
      bundles_fetched_per_commit: after.metrics.bundlesFetched - before.metrics.bundlesFetched,
      hub_peak_rss_mb: round(hubStats.peakRssMb, 1),
      hub_cpu_s: round(hubStats.cpuS - atStart.hub, 2),
      hub_cpu_registration_s: round(afterRegistration.hub - atStart.hub, 2),
      hub_cpu_delivery_s: round(after.hub - before.hub, 2),
      agent_rss_mb_per_cluster: round(agentRssPerCluster, 2),
      agent_hosts_cpu_s: round(end.agents - atStart.agents, 1),
      sim_hosts_cpu_s: round(end.sims - atStart.sims, 1),
      cpu_by_phase: {
        registration: cpu(atStart, afterRegistration),
        initial_delivery: cpu(afterRegistration, before),
        delivery: cpu(before, after),
        drift: cpu(after, idleStart),
        at_rest: cpu(idleStart, end),
        whole_run: { ...cpu(atStart, end), hub_peak_rss_mb: round(hubStats.peakRssMb, 1) },
      },
      sim_rss_mb_per_cluster: round(end.simStats.reduce((n, st) => n + st.rssMb, 0) / o.clusters, 2),
      database_rows: dbStats.rows,
      database_size_mb: dbStats.size_mb,
      bytes_to_agents: totalBytes,
      bytes_to_agents_per_commit: bytesPerCommit,
      bytes_to_agents_by_method: end.traffic.bytes,
      hub_cpu_at_rest_pct: o.idleS > 0 ? restPct(idleStart, end) : null,
      kube_requests_per_cluster_per_commit: Object.fromEntries(
        Object.entries(after.traffic.kubeRequests)
          .map(([k, v]) => [k, round((v - (before.traffic.kubeRequests[k] ?? 0)) / o.clusters, 1)] as const)
          .filter(([, v]) => v > 0)
          .sort((a, b) => b[1] - a[1]),
      ),
      drift_clusters: o.driftClusters,
      drift_report_s: driftS === undefined ? null : round(driftS),
      ...(driftNote ? { drift_note: driftNote } : {}),
      apply_agent_s: apply.agentMs.length ? round(medianOf(apply.agentMs) / 1000, 3) : null,
      apply_kubectl_s: apply.kubectlMs.length ? round(medianOf(apply.kubectlMs) / 1000, 3) : null,
      apply_ratio: apply.agentMs.length ? round(medianOf(apply.agentMs) / medianOf(apply.kubectlMs), 2) : null,
      apply_agent_running_s: apply.agentRunningMs.length ? round(medianOf(apply.agentRunningMs) / 1000, 3) : null,
      apply_ratio_running: apply.agentRunningMs.length ? round(medianOf(apply.agentRunningMs) / medianOf(apply.kubectlMs), 2) : null,
      apply_agent_cpu_s: apply.agentCpuMs.length ? round(medianOf(apply.agentCpuMs) / 1000, 3) : null,
      apply_agent_running_cpu_s: apply.agentRunningCpuMs.length ? round(medianOf(apply.agentRunningCpuMs) / 1000, 3) : null,
      apply_kubectl_cpu_s: apply.kubectlCpuMs.length ? round(medianOf(apply.kubectlCpuMs) / 1000, 3) : null,
      apply_cpu_ratio: apply.kubectlCpuMs.length ? round(medianOf(apply.agentCpuMs) / medianOf(apply.kubectlCpuMs), 2) : null,
      apply_agent_startup_s: apply.agentStartupMs.length ? round(medianOf(apply.agentStartupMs) / 1000, 3) : null,
      apply_agent_startup_cpu_s: apply.agentStartupCpuMs.length ? round(medianOf(apply.agentStartupCpuMs) / 1000, 3) : null,
      apply_agent_connect_s: apply.agentConnectMs.length ? round(medianOf(apply.agentConnectMs) / 1000, 3) : null,
      apply_agent_connect_cpu_s: apply.agentConnectCpuMs.length ? round(medianOf(apply.agentConnectCpuMs) / 1000, 3) : null,
      apply_sim_cpu_agent_s: apply.simCpuAgentMs.length ? round(medianOf(apply.simCpuAgentMs) / 1000, 3) : null,
      apply_sim_cpu_kubectl_s: apply.simCpuKubectlMs.length ? round(medianOf(apply.simCpuKubectlMs) / 1000, 3) : null,
      apply_agent_requests: apply.agentRequests,
      load_average: loadavg().map((x) => round(x, 1)),
      apply_runs: { agent_ms: apply.agentMs.map((x) => Math.round(x)), agent_running_ms: apply.agentRunningMs.map((x) => Math.round(x)), kubectl_ms: apply.kubectlMs.map((x) => Math.round(x)), kubectl_cpu_ms: apply.kubectlCpuMs.map((x) => Math.round(x)) },
      memory_bundle: memory
        ? { objects: memory.objects, synced_s: round(memory.syncedMs / 1000), healthy_s: round(memory.healthyMs / 1000), agent_rss_mb: memory.rssMb, agent_heap_mb: memory.heapUsedMb, heap_kb_per_object: memory.heapPerObjectKb, cached_objects: memory.cachedObjects }
        : null,
      host_nice: o.nice,
      hub_node_flags: o.hubNodeOptions.join(" "),
      per_process: o.perProcess,
      connect_rate: o.connectRate,
      agent_resync_ms: o.resyncMs,
      agent_drift_interval_ms: o.driftIntervalMs,
      machine: { cpus: cpus().length, memory_gb: Math.round(totalmem() / 2 ** 30), node: process.version },
      total_s: round((Date.now() - began) / 1000, 1),
    };
    return result;
  } catch (err) {
    failed = true;
    if (hub) console.error(`hub log (last 3000 bytes):\n${hub.tail(3000)}`);
    throw err;
  } finally {
    await Promise.all([...hosts.agents, ...hosts.sims].map(async (h) => {
      h.send({ type: "stop" });
      const timer = setTimeout(() => h.child.kill("SIGKILL"), 10_000);
      await h.exited;
      clearTimeout(timer);
    }));
    await benchDb?.close().catch(() => undefined);
    await hub?.stop();
    if (failed && existsSync(hubLog)) {
      // A failed run keeps the hub's log, beside the directory when that goes.
      const kept = o.keep ? hubLog : `${dir}.hub.log`;
      if (!o.keep) await rename(hubLog, kept);
      console.error(`hub log: ${kept}`);
    }
    process.removeListener("SIGINT", interrupted);
    process.removeListener("SIGTERM", interrupted);
    if (o.keep) say(`kept ${dir}${database ? ` and ${database.url}` : ""}`);
    else {
      await rm(dir, { recursive: true, force: true });
      await database?.drop();
    }
  }
}

/** What N connected agents cost the hub when nothing changes (heartbeats, keepalives): --idle seconds. */
async function atRest<S extends Snapshot>(o: BenchOptions, snapshot: () => Promise<S>, say: (line: string) => void): Promise<S> {
  const idleStart = await snapshot();
  if (o.idleS > 0) {
    say(`at rest for ${o.idleS} s`);
    await new Promise((r) => setTimeout(r, o.idleS * 1000));
  }
  return idleStart;
}

/** The hub's CPU between two snapshots, in % of a core. */
const restPct = (a: Snapshot, b: Snapshot) => round(((b.hub - a.hub) / Math.max(0.001, (b.at - a.at) / 1000)) * 100, 1);

type Md = { metadata: grpc.Metadata };
type Admin = ReturnType<typeof createClient<typeof AdminService>>;

/**
 * Waits until every cluster is Synced and Healthy at `revision`: first in the hub's database (read
 * by the bench, not through the hub, so the measurement costs the hub nothing; each increase of the
 * count is a batch of statuses stored at that time), then in the hub's App list (what the CLI
 * shows), and until every agent has reported so.
 */
async function waitDelivered(admin: Admin, md: Md, db: BenchDb, revision: string, o: BenchOptions, since: number, timeoutMs: number, say: (line: string) => void, agents: { assigned(): number; synced(): number }) {
  const storedTimes: number[] = [];
  let pollMaxMs = 0;
  let shown = Date.now();
  let allAt = 0;
  let polls = 0;
  const report = (now: number, what: string) => {
    if (now - shown < 5_000) return;
    shown = now;
    say(`  ${what}, ${agents.assigned()} agents assigned, ${agents.synced()} reported, after ${((now - since) / 1000).toFixed(1)} s`);
  };
  await poll(`all ${o.clusters} statuses stored Synced and Healthy at ${revision.slice(0, 10)}`, Math.min(o.pollMs, 100), timeoutMs, async () => {
    const n = await db.healthyAt(APP, revision);
    const now = Date.now();
    while (storedTimes.length < n) storedTimes.push(now);
    if (now - shown >= 5_000) await stopped(db, revision);
    report(now, `${n}/${o.clusters} stored Synced and Healthy`);
    return n >= o.clusters;
  }).catch(async (err: Error) => {
    throw new Error(`${err.message}\nwhat the hub holds for clusters behind:\n${(await db.behind(APP, revision, 20).catch((e: Error) => [e.message])).join("\n")}`);
  });
  await poll(`all ${o.clusters} clusters Synced and Healthy at ${revision.slice(0, 10)} in the hub's App list`, o.pollMs, timeoutMs, async () => {
    const t = Date.now();
    const { apps } = await admin.listApps({}, md);
    const now = Date.now();
    polls++;
    pollMaxMs = Math.max(pollMaxMs, now - t);
    const app = apps.find((a) => a.name === APP);
    if (!app || app.revision !== revision) return false;
    report(now, `${app.clustersSynced}/${o.clusters} Synced and ${app.clustersHealthy}/${o.clusters} Healthy in the App list`);
    if (!allAt && app.clustersSynced === o.clusters && app.clustersHealthy === o.clusters) allAt = now;
    return allAt > 0 && agents.synced() >= o.clusters;
  });
  return { storedTimes, allAt, pollMaxMs, polls };
}

/** A rollout that halted or rolled back never delivers the revision: say so now, with its reason, instead of waiting for the timeout. */
async function stopped(db: BenchDb, revision: string): Promise<void> {
  const r = await db.rollout(APP);
  if (r && r.to === revision && ["Halted", "RolledBack", "Aborted"].includes(r.state)) throw new Stop(`the rollout of ${revision.slice(0, 10)} is ${r.state}: ${r.reason.slice(0, 2000)}`);
}

class Stop extends Error {}

/** Calls check() until it is true; waits intervalMs between calls, or twice as long as the call took, so polling never takes more than a third of the hub's time. */
async function poll(what: string, intervalMs: number, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const started = Date.now();
    try {
      if (await check()) return;
    } catch (err) {
      if (err instanceof Stop) throw err;
      last = err;
    }
    const took = Date.now() - started;
    if (Date.now() > end) throw new Error(`timed out after ${(timeoutMs / 1000).toFixed(0)} s waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
    await new Promise((r) => setTimeout(r, Math.max(intervalMs, 2 * took)));
  }
}

async function hubMetrics(http: string): Promise<{ renders: number; pushes: number; statusReports: number; statusWrites: number; bundlesInline: number; bundlesFetched: number }> {
  const text = await (await fetch(`http://${http}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name.replace(/[{}]/g, "\\$&")} (\\d+)`, "m").exec(text)?.[1] ?? NaN);
  return {
    renders: value("gitfleet_renders_total"),
    pushes: value("gitfleet_assignment_pushes_total"),
    statusReports: value("gitfleet_status_reports_total"),
    statusWrites: value("gitfleet_status_writes_total"),
    bundlesInline: value('gitfleet_bundles_sent_total{via="inline"}'),
    bundlesFetched: value('gitfleet_bundles_sent_total{via="get_bundle"}'),
  };
}

interface Snapshot {
  at: number;
  hub: number;
  agents: number;
  sims: number;
}

/** Samples a process's RSS twice a second; peakSince() is the highest sample since the previous call. */
function sampleRss(pid: number) {
  let peak = 0;
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, procStats(pid).rssMb);
    } catch {
      // exited
    }
  }, 500);
  timer.unref();
  return {
    peakSince() {
      const p = Math.max(peak, procStats(pid).rssMb);
      peak = 0;
      return p;
    },
    stop: () => clearInterval(timer),
  };
}

/** CPU seconds of all agent and kube-sim hosts, their stats, and the agents' traffic so far. */
async function hostTotals(hosts: { sims: SimHost[]; agents: AgentHost[] }) {
  const agentReplies = await Promise.all(hosts.agents.map((h) => {
    const reply = h.next("stats");
    h.send({ type: "stats" });
    return reply;
  }));
  const simReplies = await Promise.all(hosts.sims.map((h) => {
    const reply = h.next("stats");
    h.send({ type: "stats" });
    return reply;
  }));
  return {
    agents: agentReplies.reduce((n, r) => n + r.stats.cpuS, 0),
    sims: simReplies.reduce((n, r) => n + r.stats.cpuS, 0),
    agentStats: agentReplies.map((r) => r.stats),
    simStats: simReplies.map((r) => r.stats),
    traffic: sumTraffic(agentReplies.map((r) => r.traffic)),
  };
}

function sumTraffic(list: Traffic[]): Traffic {
  const out: Traffic = { bytes: {}, messages: {}, kubeRequests: {} };
  for (const t of list) {
    for (const [k, v] of Object.entries(t.kubeRequests)) out.kubeRequests[k] = (out.kubeRequests[k] ?? 0) + v;
    for (const [k, v] of Object.entries(t.bytes)) out.bytes[k] = (out.bytes[k] ?? 0) + v;
    for (const [k, v] of Object.entries(t.messages)) out.messages[k] = (out.messages[k] ?? 0) + v;
  }
  return out;
}

const totalOf = (t: Traffic) => Object.values(t.bytes).reduce((a, b) => a + b, 0);

function chunk<T>(xs: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

export type { ProcStats };

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  if (!o) return void console.log(USAGE);
  const result = await runBench(o);
  const out = resolve(o.out);
  await writeFile(out, JSON.stringify(result, null, 2) + "\n");
  console.log("registration_only" in result ? formatRegistration(result) : formatTable(result));
  console.log(`\nJSON written to ${out}`);
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(`bench failed: ${(err as Error).stack ?? String(err)}`);
      process.exit(1);
    },
  );
}
