import { createHash } from "node:crypto";
import { type Logger } from "@gitfleet/shared";
import type { AppSpec } from "../definitions/index.js";
import { diffWrites, type Row } from "../assign/assignments.js";
import { renderKey, substituteVars, type Renderer } from "../render/renderer.js";
import { canonicalJson } from "../render/helm-values.js";
import { effectiveLabels } from "../registry/clusters.js";
import { inChunks } from "../store/chunks.js";
import { insertStatements } from "../store/bulk-rows.js";
import { deleteRolloutClusters } from "../store/assignment-rows.js";
import { appAssignments, appStatuses, approvedClusters, rolloutClusters } from "../store/rollout-reads.js";
import { runInTransaction, type SqlStatement } from "../store/direct-sql.js";
import { isNotFound, isUniqueViolation, type AppRepository, type Db } from "../store/index.js";
import { command, ROLLOUT_ACTIONS, type RolloutAction } from "./commands.js";
import { rolloutStatus, type RolloutInit } from "./status.js";
import { decide } from "./decide.js";
import { ACTIVE_STATES, type ClusterRecord, type ClusterView, type Placement, type RolloutEvent, type RolloutRecord } from "./model.js";
import { CLUSTER_COLUMNS, createRolloutSql, EVENT_COLUMNS, eventRows, fromClusterRecord, fromRecord, sameClusterRow, toClusterRecord, toRecord, updateRolloutSql } from "./rows.js";
import { resolveStrategy } from "./strategy.js";
import { HubError } from "../errors.js";
import { ROLLOUT_REPORT_TICK_MS } from "../config/intervals.js";

export interface RolloutDeps {
  db: Db;
  apps: AppRepository;
  log: Logger;
  /** Each cluster's target and bundle at a revision (renderer.forClusters). */
  forClusters: Renderer["forClusters"];
  /** Sends the clusters their new assignment sets. */
  push(clusters: Iterable<string>): Promise<void>;
  /** Runs a change serialised with every other assignment write. */
  serial<T>(fn: () => Promise<T>): Promise<T>;
  /** A cluster not heard from for this long is Skipped; a shorter silence (a hub restart) is not. */
  heartbeatTimeoutMs: number;
  /**
   * Several hubs: only the lease holder ticks rollouts; the others hand the Apps over (forward).
   * fence() gives the statements that fail a tick's transaction if this hub lost the lease meanwhile.
   * Without it (one hub) this hub always ticks.
   */
  leader?: { isLeader(): boolean; forward(kind: "rollout" | "reported", apps: string[]): void; fence(): SqlStatement[] };
  /** Told every transition after it is stored (notifications). */
  onEvents?(app: string, rollout: RolloutRecord, events: RolloutEvent[]): void;
  now?(): number;
}

/** An admin action that raced a tick on another hub is tried again this often in all. */
const ACT_ATTEMPTS = 3;

/** The one loop that advances rollouts: load from the database, decide, write, push. */
export function createRolloutController(deps: RolloutDeps) {
  const { db, log } = deps;
  const now = deps.now ?? Date.now;
  const leading = () => deps.leader?.isLeader() ?? true;
  const queued = new Set<string>();
  const timers = new Map<string, NodeJS.Timeout>();
  // Apps whose rollout still waits on agents: their status reports tick them, spaced by the App's size (see soon).
  const watching = new Set<string>();
  const soonTicks = new Map<string, { at: number; clusters: number; timer?: NodeJS.Timeout }>();
  // How long each App's last tick took: ticks asked for by reports and connects keep at least that much time free between them.
  const tickMs = new Map<string, number>();

  /** Everything decide() needs for one App at its desired revision; undefined when there is nothing to roll out. */
  async function load(app: string) {
    const row = await deps.apps.get(app);
    if (!row?.revision) return undefined;
    const { spec } = row;
    const sha = row.revision;
    const [clusters, existing, statuses, recordRows, rolloutRow, depStatuses] = await Promise.all([
      // Only what targeting and reachability read: a tick runs per batch of status reports, over every cluster.
      approvedClusters(db),
      appAssignments(db, app),
      appStatuses(db, app),
      rolloutClusters(db, app),
      db.rollout.findUnique({ where: { app } }),
      spec.dependsOn.length ? db.appStatus.findMany({ where: { app: { in: spec.dependsOn } }, select: { clusterName: true, app: true, health: true } }) : Promise.resolve([]),
    ]);
    const facts = clusters.map((c) => ({ name: c.name, labels: effectiveLabels(c) }));
    const rendered = await deps.forClusters(app, spec, sha, facts).catch((err: unknown) => ({ targets: spec.targets.map(() => ({ error: String(err) })), clusters: undefined }));
    const assigned = new Map(existing.map((a) => [a.clusterName, a]));
    const status = new Map(statuses.map((s) => [s.clusterName, s]));
    const records = new Map(recordRows.map((r) => [r.clusterName, toClusterRecord(r)]));
    const healthyDeps = new Set(depStatuses.filter((s) => s.health === "HEALTHY").map((s) => `${s.clusterName}\0${s.app}`));
    const views: ClusterView[] = [];
    const kept: Row[] = [];
    const t = now();
    clusters.forEach((c, n) => {
      const placed = rendered.clusters?.get(c.name);
      if (!placed) {
        // A failure that is not the commit's: every targeted cluster keeps what it runs.
        const a = rendered.clusters ? undefined : assigned.get(c.name);
        if (a) kept.push(a);
        return;
      }
      const { target: i, outcome } = placed;
      const a = assigned.get(c.name);
      if (!("digest" in outcome)) {
        if (a) kept.push(a); // this cluster's render fails: it keeps what it runs
        return;
      }
      const s = status.get(c.name);
      const rec = records.get(c.name);
      views.push({
        name: c.name,
        labels: facts[n]!.labels,
        reachable: c.state === "Connected" || (c.lastHeartbeat !== null && t - c.lastHeartbeat.getTime() < deps.heartbeatTimeoutMs),
        wanted: { target: spec.targets[i]!.name, revision: sha, bundleDigest: outcome.digest },
        ...(a ? { assigned: placement(a) } : {}),
        ...(s ? { status: s } : {}),
        ...(rec ? { record: rec } : {}),
        blockedBy: spec.dependsOn.filter((d) => !healthyDeps.has(`${c.name}\0${d}`)),
      });
    });
    // What rolls out: the revision and each target's render; with substitution its render input
    // instead (bundles differ per cluster), so new labels move that cluster, not start a new rollout.
    const identity = spec.targets.map((target, i) => {
      const vars = substituteVars(spec, target);
      return vars ? { input: renderKey(spec, sha, target), substitute: canonicalJson(vars) } : (rendered.targets[i] ?? null);
    });
    const key = `${sha}:${createHash("sha256").update(JSON.stringify(identity)).digest("hex").slice(0, 16)}`;
    return { spec, sha, key, views, kept, existing, recordRows, rollout: rolloutRow ? toRecord(rolloutRow) : undefined, updatedAt: rolloutRow?.updatedAt };
  }

  /** Decides one App's rollout and stores the outcome; `all` re-pushes every cluster it runs on (a spec change). */
  async function tick(app: string, all = false): Promise<void> {
    const started = Date.now();
    try {
      await decideAndStore(app, all);
    } finally {
      tickMs.set(app, Date.now() - started);
    }
  }

  async function decideAndStore(app: string, all: boolean): Promise<void> {
    const loaded = await load(app);
    if (!loaded) return;
    const { views, existing } = loaded;
    soonTicks.set(app, { at: 0, ...soonTicks.get(app), clusters: views.length });
    const d = decide({ strategy: resolveStrategy(loaded.spec.rollout), ...(loaded.rollout ? { rollout: loaded.rollout } : {}), key: loaded.key, to: loaded.sha, clusters: views, now: now() });
    const desired: Row[] = [...loaded.kept];
    for (const [cluster, p] of d.assign) if (p) desired.push({ clusterName: cluster, app, ...p });
    const { writes, changed } = diffWrites(existing, desired);
    const at = new Date(now());
    const before = new Map(loaded.recordRows.map((r) => [r.clusterName, fromClusterRecord(app, r.clusterName, toClusterRecord(r))]));
    const rows = [...d.records].map(([cluster, rec]) => fromClusterRecord(app, cluster, rec)).filter((r) => {
      const old = before.get(r.clusterName);
      return !old || !sameClusterRow(old, r);
    });
    const gone = loaded.recordRows.map((r) => r.clusterName).filter((n) => !d.records.has(n));
    const rolloutChanged = JSON.stringify(loaded.rollout) !== JSON.stringify(d.rollout);
    // Stored only if this hub still holds the lease and nobody (an admin action on another hub)
    // changed the rollout since it was read: either fails the transaction (isNotFound / isUniqueViolation).
    // An unchanged rollout keeps its updatedAt. Plain SQL on the store's adapter (direct-sql.ts):
    // through Prisma's client these thousands of rows cost more in its query compiler than in the database.
    const records = [
      ...inChunks(gone).map((names) => deleteRolloutClusters(app, names)),
      ...insertStatements("RolloutCluster", CLUSTER_COLUMNS, rows, ["app", "clusterName"]),
      ...insertStatements("AuditEvent", EVENT_COLUMNS, eventRows(app, d.rollout, d.events, at)),
    ];
    const fence = () => deps.leader?.fence() ?? [];
    // Watched before the push: an agent may report before this tick has stored its outcome, and
    // that report must tick the App again (queued behind this tick) or the rollout waits for a sweep.
    if (ACTIVE_STATES.includes(d.rollout.state) || [...d.records.values()].some((r) => r.step === "Updating")) watching.add(app);
    else watching.delete(app);
    const pushed = all ? new Set([...changed, ...existing.map((e) => e.clusterName), ...desired.map((r) => r.clusterName)]) : changed;
    if (!loaded.updatedAt || pushed.size === 0) {
      // updatedAt by the controller's clock, like the records and audit rows of this tick.
      const version = loaded.updatedAt
        ? updateRolloutSql(app, loaded.updatedAt, rolloutChanged ? d.rollout : undefined, rolloutChanged ? at : loaded.updatedAt)
        : createRolloutSql(app, d.rollout, at);
      await runInTransaction(db, [...fence(), ...writes, version, ...records]);
      await deps.push(pushed);
    } else {
      // Agents first: the assignments, the push, then the rollout's new state with its bookkeeping
      // (a record per cluster that moved: seconds at 10,000 clusters). The first
      // write moves updatedAt to `stamp`, which the second checks. Should the hub die in between,
      // the next tick sees the old rollout and starts this one again from the assignments.
      const stamp = rolloutChanged ? at : loaded.updatedAt;
      await runInTransaction(db, [...fence(), ...writes, updateRolloutSql(app, loaded.updatedAt, undefined, stamp)]);
      await deps.push(pushed);
      await runInTransaction(db, [...fence(), updateRolloutSql(app, stamp, rolloutChanged ? d.rollout : undefined, stamp), ...records]);
    }
    for (const e of d.events) if (e.kind !== "cluster") log.info({ app, from: d.rollout.from, to: d.rollout.to, event: e.kind, ...e }, "rollout");
    if (d.events.length) deps.onEvents?.(app, d.rollout, d.events);
    clearTimeout(timers.get(app));
    timers.delete(app);
    if (d.wakeAt !== undefined) timers.set(app, setTimeout(() => schedule(app), Math.max(0, d.wakeAt - now()) + 10));
  }

  /** Ticks an App soon, once however often it is asked while queued; on another hub than the leader, asks the leader. */
  function schedule(app: string): void {
    if (!leading()) return deps.leader!.forward("rollout", [app]);
    if (queued.has(app)) return;
    queued.add(app);
    deps.serial(async () => {
      queued.delete(app);
      await tick(app);
    }).catch((err: unknown) => {
      // Lost the lease (the new leader ticks it) or raced an admin action (tick again on what it wrote).
      if (isNotFound(err) || isUniqueViolation(err)) {
        log.info({ app, leader: leading() }, "rollout tick not stored: the rollout changed meanwhile or this hub lost the lease");
        if (leading()) schedule(app);
      } else log.error({ app, err }, "rollout tick failed");
    });
  }

  /**
   * Ticks an App for its agents' reports or connects now, or once a gap after the last such tick:
   * 1 ms per cluster of the App (what a tick reads), ROLLOUT_REPORT_TICK_MS at most, and at least
   * twice its last tick's time (at 10,000 clusters a tick takes seconds). A small App ticks on every
   * report, so its rollout does not lag its statuses.
   */
  function soon(app: string): void {
    const last = soonTicks.get(app) ?? { at: 0, clusters: 0 };
    if (last.timer) return;
    const run = () => {
      soonTicks.set(app, { at: Date.now(), clusters: soonTicks.get(app)?.clusters ?? 0 });
      schedule(app);
    };
    const wait = last.at + Math.max(Math.min(ROLLOUT_REPORT_TICK_MS, last.clusters), 2 * (tickMs.get(app) ?? 0)) - Date.now();
    if (wait <= 0) run();
    else soonTicks.set(app, { ...last, timer: setTimeout(run, wait) });
  }

  /** An admin action on an App's rollout, audited, then decided on at once; returns the rollout after it. */
  async function act(app: string, action: string, actor: string): Promise<RolloutInit> {
    if (!ROLLOUT_ACTIONS.includes(action as RolloutAction)) throw new HubError("INVALID_ARGUMENT", `unknown rollout action "${action}": want one of ${ROLLOUT_ACTIONS.join(", ")}`);
    const attempt = () => deps.serial(async () => {
      const row = await db.rollout.findUnique({ where: { app } });
      if (!row) return void (await rolloutStatus(db, app)); // says why there is none
      const recordRows = await db.rolloutCluster.findMany({ where: { app } });
      const result = command(toRecord(row), new Map(recordRows.map((r) => [r.clusterName, toClusterRecord(r)])), action as RolloutAction);
      if ("refused" in result) throw new HubError("FAILED_PRECONDITION", result.refused);
      const records = result.records ? [...result.records].map(([cluster, rec]: [string, ClusterRecord]) => fromClusterRecord(app, cluster, rec)) : [];
      // Only over the row read above: the leader may tick this rollout on another hub meanwhile.
      await db.$transaction([
        db.rollout.update({ where: { app, updatedAt: row.updatedAt }, data: fromRecord(app, result.rollout) }),
        ...(result.records ? [db.rolloutCluster.deleteMany({ where: { app } }), ...inChunks(records).map((data) => db.rolloutCluster.createMany({ data }))] : []),
        db.auditEvent.create({ data: { actor, action: `rollout.${action}`, subject: app, detail: JSON.stringify({ from: row.fromRevision, to: row.toRevision, state: result.rollout.state }) } }),
      ]);
      if (leading()) await tick(app);
      else deps.leader!.forward("rollout", [app]);
    });
    for (let tries = 1; ; tries++) {
      try {
        await attempt();
        break;
      } catch (err) {
        if (!isNotFound(err) || tries === ACT_ATTEMPTS) throw err;
      }
    }
    return rolloutStatus(db, app);
  }

  return {
    tick,
    schedule,
    act,
    status: (app: string) => rolloutStatus(db, app),
    /** A status report arrived for these Apps. */
    reported(apps: Iterable<string>): void {
      if (!leading()) return deps.leader!.forward("reported", [...apps]);
      for (const app of apps) if (watching.has(app)) soon(app);
    },
    /**
     * Clusters of these Apps connected (a new one needs its placement decided). Spaced like reports:
     * agents reconnecting one by one after a hub restart must not each tick a 10,000-cluster App.
     */
    connected(apps: Iterable<string>): void {
      if (!leading()) return deps.leader!.forward("rollout", [...apps]);
      for (const app of apps) soon(app);
    },
    /** Schedules every App with an unsettled rollout: a singleton task, every ROLLOUT_SWEEP_MS on the leader. */
    async sweep(): Promise<void> {
      const rows = await db.rollout.findMany({ where: { state: { in: [...ACTIVE_STATES] } }, select: { app: true } });
      new Set([...rows.map((r) => r.app), ...watching]).forEach(schedule);
    },
    /** Stops the wake-up timers (the hub stops, or another hub took the lease). */
    stop(): void {
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
      for (const r of soonTicks.values()) clearTimeout(r.timer);
      soonTicks.clear();
      tickMs.clear();
      watching.clear();
    },
  };
}
export type RolloutController = ReturnType<typeof createRolloutController>;

const placement = (a: Placement): Placement => ({ target: a.target, revision: a.revision, bundleDigest: a.bundleDigest });
