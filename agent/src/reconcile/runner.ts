import { equals } from "@bufbuild/protobuf";
import { AssignmentSchema, HealthState, SyncState, type AppStatus, type Assignment, type AssignmentSet, type KubeObject, type Logger } from "@gitfleet/shared";
import type { AssignmentStore } from "../cache/assignment-store.js";
import type { BundleCache } from "../cache/bundle-cache.js";
import * as intervals from "../config/intervals.js";
import type { LinkHandler, Outgoing } from "../connection/agent-link.js";
import { createDriftDetector } from "../drift/detector.js";
import { appHealth } from "../health/app-health.js";
import { checkHealth } from "../health/check.js";
import { hasHealthStatus } from "../health/object-health.js";
import type { Kube } from "../kube/client.js";
import { entryKey, entryOf, listInventories, loadInventory } from "./inventory.js";
import { errorMessage, type Outcome } from "./outcome.js";
import { createClaims } from "./ownership.js";
import { reconcileApp } from "./reconcile-app.js";
import { removeApp } from "./remove-app.js";
import { appStatus, refKey, statusFingerprint } from "./status.js";
import { after, createWorker, enqueue, type RunMode, type Worker } from "./worker.js";

export interface RunnerTimings {
  resyncMs: number;
  driftIntervalMs: number;
  healthRecheckMs: number;
  waitRecheckMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

export interface RunnerOptions {
  kube: Kube;
  bundles: BundleCache;
  store: AssignmentStore;
  log: Logger;
  /** Limit writes to these namespaces. */
  namespaces?: readonly string[];
  timings?: Partial<RunnerTimings>;
}

export interface Runner extends LinkHandler {
  /** Reconciles the persisted AssignmentSet, if any: the hub need not be reachable. */
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

/** The run pruned or released objects: another App may have been refused them. */
const letGoOfObjects = (s: AppStatus) => s.objects.some((o) => o.action === "pruned" || o.action === "released");

/** Every object was applied or failed on its own: what was applied is what drift compares against. */
const appliedInFull = (outcome: Outcome | undefined) => !outcome || outcome === "terminal" || outcome === "retry";

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
  const claims = createClaims();
  const ctx = { kube, namespaces: opts.namespaces?.length ? new Set(opts.namespaces) : undefined, owners: { holds, claim: claims.claim } };
  const workers = new Map<string, Worker>();
  let assigned = new Set<string>();
  let send: ((msg: Outgoing) => void) | undefined;
  let stopped = false;

  const statuses = () => [...workers.values()].flatMap((w) => (w.status ? [w.status] : []));
  const idle = async () => {
    await Promise.all([...workers.values()].map((w) => w.chain));
  };
  const report = (statuses: AppStatus[]) => {
    if (send && statuses.length) send({ msg: { case: "status", value: { apps: statuses } } });
  };

  const worker = (app: string) => {
    let w = workers.get(app);
    if (!w) workers.set(app, (w = createWorker(app, Promise.resolve(), t.retryBaseMs, t.retryMaxMs)));
    return w;
  };

  const kick = (w: Worker, mode: RunMode) => {
    if (!stopped) enqueue(w, mode, (m) => run(w, m));
  };

  const drift = createDriftDetector(kube, log, {
    lane: (app, fn) => {
      const w = workers.get(app);
      if (w?.assignment && !stopped) void after(w, fn);
    },
    // A heal reads and applies everything again: the drift happened in the cluster, not in Git.
    heal: (app) => {
      workers.get(app)?.memory.clear();
      runner.reconcile(app);
    },
    drifted: setDrift,
    touched,
  }, t.driftIntervalMs);

  const unreadyDeps = (a: Assignment) => a.dependsOn.filter((d) => workers.get(d)?.status?.health !== HealthState.HEALTHY || !assigned.has(d));

  async function run(w: Worker, mode: RunMode): Promise<void> {
    const a = w.assignment;
    if (!a || stopped) return;
    const before = w.status;
    try {
      if (mode === "full" || !before) {
        w.drift = undefined;
        const out = await reconcileApp({ ...ctx, memory: w.memory }, a, () => opts.bundles.get(a.bundleDigest), unreadyDeps(a)).finally(() => claims.release(a.app));
        if (withdrawn(w, a)) return;
        Object.assign(w, { status: out.status, outcome: out.outcome, applied: out.applied });
        if (appliedInFull(out.outcome)) drift.track(a, out.applied);
        if (letGoOfObjects(out.status)) retryRefused();
      } else {
        w.status = await recheckHealth(w, before);
      }
    } catch (err) {
      // Only a health re-check can throw here (reconcileApp reports its own errors).
      log.warn({ app: a.app, err: errorMessage(err) }, "health check failed");
      w.outcome = "transient";
    }
    publish(w, before, mode);
    schedule(w);
  }

  /** Sends the status after a full run, or when a health check changed it; wakes dependents. */
  function publish(w: Worker, before: AppStatus | undefined, mode: RunMode): void {
    const s = w.status!;
    if (mode === "full" || !before || statusFingerprint(s) !== statusFingerprint(before)) report([s]);
    log[mode === "full" ? "info" : "debug"]({ app: w.app, mode, sync: s.sync, health: HealthState[s.health], outcome: w.outcome, message: s.message }, "reconciled");
    if (s.health === HealthState.HEALTHY && before?.health !== HealthState.HEALTHY) kickDependents(w.app);
  }

  /** A managed object changed (watch event): re-rate health now instead of at the next resync. */
  function touched(app: string): void {
    const w = workers.get(app);
    if (!w?.status || w.queued || w.refreshing || stopped) return;
    w.refreshing = true;
    void after(w, async () => {
      w.refreshing = false;
      const before = w.status;
      if (!w.assignment || !before || stopped) return;
      try {
        w.status = await recheckHealth(w, before);
      } catch (err) {
        log.debug({ app, err: errorMessage(err) }, "health check failed");
        return;
      }
      publish(w, before, "health");
    });
  }

  async function recheckHealth(w: Worker, before: AppStatus): Promise<AppStatus> {
    // Only objects whose health lives in their status are read; a deleted static object is the drift detector's.
    const rated = await checkHealth(kube, w.applied, w.applied.map((o) => (hasHealthStatus(o) ? undefined : o)));
    const health = appHealth(rated.map((h) => h.status));
    const byKey = new Map(w.applied.map((o, i) => [refKey({ kind: o.kind, ...o.metadata }), rated[i]!.status]));
    const objects = before.objects.map((o) => ({ ...o, health: byKey.get(refKey(o.ref)) ?? o.health }));
    return appStatus(w.assignment!, { sync: before.sync, health, objects, message: before.message });
  }

  function schedule(w: Worker): void {
    if (stopped || w.queued || !assigned.has(w.app)) return;
    const s = w.status;
    let delay: number;
    let mode: RunMode = "full";
    if (w.outcome === "terminal") return; // nothing to retry until the next assignment
    if (w.outcome === "transient" || w.outcome === "retry") delay = w.backoff.next();
    else if (w.outcome === "wait") delay = t.waitRecheckMs;
    else if (s && s.health !== HealthState.HEALTHY) [delay, mode] = [t.healthRecheckMs, "health"];
    // With selfHeal off a resync only re-checks health: re-applying would undo drift left for people to see.
    else [delay, mode] = [t.resyncMs, w.assignment?.selfHeal ? "full" : "health"];
    if (w.outcome !== "transient" && w.outcome !== "retry") w.backoff.reset();
    w.timer = setTimeout(() => {
      // Resyncs, retries and waits start fresh: they exist to catch what nobody told us about.
      if (mode === "full") w.memory.clear();
      kick(w, mode);
    }, delay);
  }

  function setDrift(app: string, message: string | undefined): void {
    const w = workers.get(app);
    if (!w?.status || !w.assignment || w.drift === message) return;
    const had = w.drift;
    w.drift = message;
    const s = w.status;
    if (message) w.status = appStatus(w.assignment, { sync: SyncState.OUT_OF_SYNC, health: s.health, objects: s.objects, message });
    else if (had && s.sync === SyncState.OUT_OF_SYNC) w.status = appStatus(w.assignment, { sync: SyncState.SYNCED, health: s.health, objects: s.objects, message: "drift resolved" });
    report([w.status]);
  }

  function kickDependents(app: string): void {
    for (const w of workers.values()) {
      if (w.assignment?.dependsOn.includes(app) && w.outcome === "wait") kick(w, "full");
    }
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
    // Apps unassigned while the agent was away are known only by their inventory in the cluster.
    listInventories(kube).then(
      (invs) => invs.filter((i) => !assigned.has(i.app) && !workers.has(i.app)).forEach((i) => remove(i.app)),
      (err: unknown) => log.warn({ err: errorMessage(err) }, "cannot list inventories"),
    );
  }

  /** An App holds an object it labelled while applying it, and while assigned here with its inventory (once written) listing it. */
  async function holds(owner: string, obj: KubeObject): Promise<boolean> {
    if (claims.claimedBy(owner, obj)) return true;
    const inventory = await loadInventory(kube, owner);
    if (!inventory) return assigned.has(owner);
    const key = entryKey(entryOf(obj));
    return inventory.entries.some((e) => entryKey(e) === key);
  }

  /** An App let go of its objects: Apps refused by it (or waiting on the cluster) try again now. */
  function retryRefused(): void {
    for (const w of workers.values()) if (w.outcome === "retry") kick(w, "full");
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

  function remove(app: string): void {
    const w = worker(app);
    w.assignment = undefined;
    w.status = undefined;
    clearTimeout(w.timer);
    drift.untrack(app);
    void after(w, async () => {
      if (assigned.has(app) || stopped) return;
      try {
        const pruned = await removeApp(kube, app);
        log.info({ app, pruned: pruned.filter((p) => p.action === "pruned").length }, "app unassigned; inventory removed");
        if (!assigned.has(app) && workers.get(app) === w && !w.queued) workers.delete(app);
        retryRefused();
      } catch (err) {
        log.warn({ app, err: errorMessage(err) }, "cannot remove unassigned app; retrying");
        w.timer = setTimeout(() => assigned.has(app) || remove(app), w.backoff.next());
      }
    });
  }

  const runner: Runner = {
    assignments(set) {
      opts.store.save(set).catch((err: unknown) => log.error({ err: errorMessage(err) }, "cannot persist assignments"));
      assign(set);
    },
    link(s) {
      send = s;
      drift.link(s);
      if (!s) return;
      report(statuses());
      // A bundle that could not be fetched while the hub was away can be now.
      for (const w of workers.values()) if (w.outcome === "transient") kick(w, "full");
    },
    async start() {
      const set = await opts.store.load();
      if (set) {
        log.info({ apps: set.assignments.length }, "reconciling persisted assignments");
        assign(set);
      }
    },
    async stop() {
      stopped = true;
      drift.stop();
      for (const w of workers.values()) clearTimeout(w.timer);
      await idle();
    },
    reconcile(app) {
      const w = workers.get(app);
      if (w?.assignment) kick(w, "full");
    },
    sync(apps) {
      for (const app of apps) syncNow(app);
    },
    status: (app) => workers.get(app)?.status,
    statuses,
    idle,
  };
  return runner;
}
