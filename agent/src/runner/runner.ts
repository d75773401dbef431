// The agent's control loop for the Apps assigned to this cluster: one serial lane per App, the
// timers that start runs, and the wiring of the parts. What a run does lives in those parts:
// reconcile/ (apply and prune one App), health/ (monitor), drift/ (detector), cleanup/ (unassigned
// Apps) and status/ (the one writer of what the hub gets).
import { equals } from "@bufbuild/protobuf";
import { AssignmentSchema, HealthState, type AppStatus, type Assignment, type AssignmentSet, type Logger } from "@gitfleet/shared";
import type { AssignmentStore } from "../cache/assignment-store.js";
import type { BundleCache } from "../cache/bundle-cache.js";
import { createCleanup } from "../cleanup/cleanup.js";
import * as intervals from "../config/intervals.js";
import type { LinkHandler } from "../connection/agent-link.js";
import { createDriftDetector } from "../drift/detector.js";
import { createHealthMonitor } from "../health/monitor.js";
import type { Kube } from "../kube/client.js";
import { errorMessage } from "../reconcile/outcome.js";
import { clusterOwners, createClaims } from "../reconcile/ownership.js";
import { NO_METRICS, type AgentObserver } from "../metrics/index.js";
import { warmCache } from "../reconcile/apply.js";
import { INVENTORY_KINDS } from "../reconcile/inventory.js";
import { reconcileApp } from "../reconcile/reconcile-app.js";
import { createStatusWriter } from "../status/writer.js";
import { appliedInFull, letGoOfObjects, nextRun, unreadyDependencies, type RunnerTimings } from "./schedule.js";
import { after, createWorker, enqueue, type RunMode, type Worker } from "./worker.js";

export type { RunnerTimings } from "./schedule.js";

export interface RunnerOptions {
  kube: Kube;
  bundles: BundleCache;
  store: AssignmentStore;
  log: Logger;
  /** Limit writes to these namespaces. */
  namespaces?: readonly string[];
  timings?: Partial<RunnerTimings>;
  /** Runs, applies and drift episodes are counted here (--metrics-listen). */
  metrics?: AgentObserver;
}

export interface Runner extends LinkHandler {
  /** Starts the inventories' informer and reconciles the persisted AssignmentSet, if any: the hub need not be reachable. */
  start(): Promise<void>;
  /** Stops timers and waits for runs in flight. */
  stop(): Promise<void>;
  /** A full reconcile of one app now (e.g. drift was seen). */
  reconcile(app: string): void;
  status(app: string): AppStatus | undefined;
  statuses(): AppStatus[];
  /** Resolves when every queued run has finished (for tests and shutdown). */
  idle(): Promise<void>;
}

/** Unassigned or replaced while the run was in flight: its result is stale (a removal or the next run reports). */
const withdrawn = (w: Worker, a: Assignment) => w.assignment !== a;

export function createRunner(opts: RunnerOptions): Runner {
  const t: RunnerTimings = {
    resyncMs: intervals.DEFAULT_RESYNC_MS,
    driftIntervalMs: intervals.DEFAULT_DRIFT_INTERVAL_MS,
    healthRecheckMs: intervals.HEALTH_RECHECK_MS,
    waitRecheckMs: intervals.WAIT_RECHECK_MS,
    retryBaseMs: intervals.RETRY_BASE_MS,
    retryMaxMs: intervals.RETRY_MAX_MS,
    ...opts.timings,
  };
  const { kube, log } = opts;
  const metrics = opts.metrics ?? NO_METRICS;
  const claims = createClaims();
  const ctx = { kube, namespaces: opts.namespaces?.length ? new Set(opts.namespaces) : undefined, owners: clusterOwners(kube, claims, (app) => assigned.has(app)) };
  const workers = new Map<string, Worker>();
  let assigned = new Set<string>();
  let stopped = false;

  const worker = (app: string) => {
    let w = workers.get(app);
    if (!w) workers.set(app, (w = createWorker(app, Promise.resolve(), t.retryBaseMs, t.retryMaxMs)));
    return w;
  };
  const kick = (w: Worker, mode: RunMode) => {
    if (!stopped) enqueue(w, mode, (m) => run(w, m));
  };
  /** Health and drift work for an assigned app, in its lane. */
  const lane = (app: string, fn: () => Promise<void>) => {
    const w = workers.get(app);
    if (w?.assignment && !stopped) void after(w, fn);
  };
  const idle = async () => {
    await Promise.all([...workers.values()].map((w) => w.chain));
  };

  // An app turning Healthy releases the apps waiting on it.
  const writer = createStatusWriter((before, now) => {
    if (now.health === HealthState.HEALTHY && before?.health !== HealthState.HEALTHY) kickDependents(now.app);
  });
  const health = createHealthMonitor({ kube, log, findings: writer, lane, busy: (app) => stopped || Boolean(workers.get(app)?.queued) });
  const drift = createDriftDetector(kube, log, {
    lane,
    // A heal reads and applies everything again: the drift happened in the cluster, not in Git.
    heal: (app) => {
      workers.get(app)?.memory.clear();
      runner.reconcile(app);
    },
    findings: writer,
    touched: health.touched,
    episode: metrics.driftEpisode,
  }, t.driftIntervalMs);
  const cleanup = createCleanup({
    kube,
    log,
    findings: writer,
    lane: (app, fn) => void after(worker(app), fn),
    keep: (app) => assigned.has(app) || stopped,
    removed(app) {
      const w = workers.get(app);
      if (w && !assigned.has(app) && !w.queued) workers.delete(app);
      retryRefused();
    },
    retryBaseMs: t.retryBaseMs,
    retryMaxMs: t.retryMaxMs,
  });

  async function run(w: Worker, mode: RunMode): Promise<void> {
    const a = w.assignment;
    if (!a || stopped) return;
    const started = performance.now();
    const full = mode === "full" || !writer.status(a.app);
    let result = "ok";
    try {
      if (full) {
        const unready = unreadyDependencies(a, assigned, (d) => writer.status(d)?.health);
        const out = await reconcileApp({ ...ctx, memory: w.memory }, a, () => opts.bundles.get(a.bundleDigest), unready).finally(() => claims.release(a.app));
        if (withdrawn(w, a)) return;
        w.outcome = out.outcome;
        result = out.outcome ?? "ok";
        metrics.applied(out.status.objects.map((o) => o.action));
        writer.report({ kind: "reconciled", app: a.app, status: out.status });
        health.track(a.app, out.applied);
        if (appliedInFull(out.outcome)) drift.track(a, out.applied);
        if (letGoOfObjects(out.status.objects)) retryRefused();
      } else {
        await health.check(a.app);
      }
    } catch (err) {
      // Only a health re-check can throw here (reconcileApp reports its own errors).
      log.warn({ app: a.app, err: errorMessage(err) }, "health check failed");
      w.outcome = "transient";
      result = "error";
    }
    metrics.ran(full ? "full" : "health", result, (performance.now() - started) / 1000);
    const s = writer.status(a.app);
    if (s) log[mode === "full" ? "info" : "debug"]({ app: w.app, mode, sync: s.sync, health: HealthState[s.health], outcome: w.outcome, message: s.message }, "reconciled");
    schedule(w);
  }

  function schedule(w: Worker): void {
    if (stopped || w.queued || !assigned.has(w.app)) return;
    const next = nextRun(w.outcome, writer.status(w.app)?.health, Boolean(w.assignment?.selfHeal), t);
    if (!next) return;
    if (next.after !== "backoff") w.backoff.reset();
    w.timer = setTimeout(() => {
      // Resyncs, retries and waits start fresh: they exist to catch what nobody told us about.
      if (next.mode === "full") w.memory.clear();
      kick(w, next.mode);
    }, next.after === "backoff" ? w.backoff.next() : next.after);
  }

  function kickDependents(app: string): void {
    for (const w of workers.values()) {
      if (w.assignment?.dependsOn.includes(app) && w.outcome === "wait") kick(w, "full");
    }
  }

  /** An App let go of its objects: Apps refused by it (or waiting on the cluster) try again now. */
  function retryRefused(): void {
    for (const w of workers.values()) if (w.outcome === "retry") kick(w, "full");
  }

  function assign(set: AssignmentSet): void {
    assigned = new Set(set.assignments.map((a) => a.app));
    for (const a of set.assignments) {
      const w = worker(a.app);
      if (w.assignment && equals(AssignmentSchema, w.assignment, a)) continue;
      w.assignment = a;
      w.backoff.reset();
      kick(w, "full");
    }
    for (const app of [...workers.keys()]) if (!assigned.has(app)) remove(app);
    void cleanup.inventoried().then((apps) => apps.filter((app) => !assigned.has(app) && !workers.has(app)).forEach(remove));
  }

  function remove(app: string): void {
    const w = worker(app);
    w.assignment = undefined;
    clearTimeout(w.timer);
    drift.untrack(app);
    health.untrack(app);
    cleanup.remove(app);
  }

  /** Asked from the hub: a full reconcile that reads and applies everything, with the retry backoff started over. */
  function syncNow(app: string): void {
    const w = workers.get(app);
    if (!w?.assignment) return void log.info({ app }, "sync requested for an app not assigned here");
    log.info({ app }, "sync requested");
    w.memory.clear();
    w.backoff.reset();
    kick(w, "full");
  }

  let saving: Promise<void> = Promise.resolve();
  const runner: Runner = {
    assignments(set) {
      // Before the runs this set starts: they take their bundles from the cache.
      opts.bundles.offer(set.bundles);
      // One save at a time, in order (a slower older save must not land last), and stop() waits for it.
      saving = saving.then(() => opts.store.save(set)).catch((err: unknown) => log.error({ err: errorMessage(err) }, "cannot persist assignments"));
      assign(set);
    },
    link(s) {
      drift.link(s);
      writer.link(s);
      if (!s) return;
      // A bundle that could not be fetched while the hub was away can be now.
      for (const w of workers.values()) if (w.outcome === "transient") kick(w, "full");
    },
    async start() {
      // Every reconcile and cleanup reads the inventories: their list and watch (and core discovery) start
      // now, while the agent connects to the hub, not when the first assignment arrives.
      warmCache(kube, INVENTORY_KINDS);
      const set = await opts.store.load();
      if (set) {
        log.info({ apps: set.assignments.length }, "reconciling persisted assignments");
        assign(set);
      }
    },
    async stop() {
      stopped = true;
      drift.stop();
      health.stop();
      cleanup.stop();
      for (const w of workers.values()) clearTimeout(w.timer);
      await Promise.all([idle(), saving]);
    },
    reconcile(app) {
      const w = workers.get(app);
      if (w?.assignment) kick(w, "full");
    },
    sync(apps) {
      for (const app of apps) syncNow(app);
    },
    status: (app) => writer.status(app),
    statuses: () => writer.statuses(),
    idle,
  };
  return runner;
}
