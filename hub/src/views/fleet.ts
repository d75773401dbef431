import type { MessageInitShape } from "@bufbuild/protobuf";
import { ClusterState, type FleetAppSchema, type FleetCellSchema, type FleetClusterSchema, type WatchFleetResponseSchema } from "@gitfleet/shared";
import type { Db } from "../store/index.js";
import { effectiveLabels } from "../registry/clusters.js";
import { healthOf, syncOf } from "../status/ingest.js";
import { reportsDesired } from "../status/desired.js";

type FleetCluster = MessageInitShape<typeof FleetClusterSchema>;
type FleetApp = MessageInitShape<typeof FleetAppSchema>;
type FleetCell = MessageInitShape<typeof FleetCellSchema>;
export type FleetUpdate = MessageInitShape<typeof WatchFleetResponseSchema>;

/** The fleet matrix at one moment; each entry keyed, and compared, by a stable text. */
export interface FleetSnapshot {
  clusters: Map<string, { value: FleetCluster; key: string }>;
  apps: Map<string, { value: FleetApp; key: string }>;
  cells: Map<string, { value: FleetCell; key: string }>;
}

const STATE: Record<string, ClusterState> = { Pending: ClusterState.PENDING, Connected: ClusterState.CONNECTED, Disconnected: ClusterState.DISCONNECTED };
const FINISHED = ["Completed", "Aborted"];
const cellId = (cluster: string, app: string) => `${cluster}\u0000${app}`;
const keyed = <T>(value: T) => ({ value, key: JSON.stringify(value) });

/** Reads only the columns the matrix shows: no per-object results, no specs. */
export async function readFleet(db: Db): Promise<FleetSnapshot> {
  const [clusters, apps, assignments, statuses, rollouts] = await Promise.all([
    db.cluster.findMany({ select: { name: true, state: true, tokenLabels: true, agentLabels: true, adminLabels: true } }),
    db.app.findMany({ select: { name: true, revision: true } }),
    db.assignment.findMany({ select: { clusterName: true, app: true, revision: true, bundleDigest: true } }),
    db.appStatus.findMany({ select: { clusterName: true, app: true, revision: true, bundleDigest: true, sync: true, health: true, message: true } }),
    db.rollout.findMany({ where: { state: { notIn: [...FINISHED] } }, select: { app: true } }),
  ]);
  // Steps only of rollouts under way: a finished one says nothing the cell does not.
  const steps = rollouts.length
    ? await db.rolloutCluster.findMany({ where: { app: { in: rollouts.map((r) => r.app) } }, select: { app: true, clusterName: true, step: true } })
    : [];
  const step = new Map(steps.map((s) => [cellId(s.clusterName, s.app), s.step]));
  const snap: FleetSnapshot = { clusters: new Map(), apps: new Map(), cells: new Map() };
  for (const c of clusters) {
    snap.clusters.set(c.name, keyed({ name: c.name, labels: effectiveLabels(c), state: STATE[c.state] ?? ClusterState.UNSPECIFIED }));
  }
  for (const a of apps) snap.apps.set(a.name, keyed({ name: a.name, revision: a.revision ?? "" }));
  const status = new Map(statuses.map((s) => [cellId(s.clusterName, s.app), s]));
  const ids = new Set([...assignments.map((a) => cellId(a.clusterName, a.app)), ...status.keys()]);
  const desired = new Map(assignments.map((a) => [cellId(a.clusterName, a.app), a]));
  for (const id of ids) {
    const [cluster, app] = id.split("\u0000") as [string, string];
    const s = status.get(id);
    const d = desired.get(id);
    snap.cells.set(
      id,
      keyed({ cluster, app, desiredRevision: d?.revision ?? "", appliedRevision: s?.revision ?? "", behind: d !== undefined && !reportsDesired(d, s), sync: syncOf(s), health: healthOf(s), message: s?.message ?? "", rolloutStep: step.get(id) ?? "" }),
    );
  }
  return snap;
}

/** The whole snapshot as a reset message. */
export function fleetReset(snap: FleetSnapshot): FleetUpdate {
  return {
    reset: true,
    clusters: [...snap.clusters.values()].map((e) => e.value),
    apps: [...snap.apps.values()].map((e) => e.value),
    cells: [...snap.cells.values()].map((e) => e.value),
  };
}

/** What changed from `prev` to `next`, or undefined when nothing did. */
export function fleetDiff(prev: FleetSnapshot, next: FleetSnapshot): FleetUpdate | undefined {
  const changed = <T>(a: Map<string, { value: T; key: string }>, b: Map<string, { value: T; key: string }>) => [...b].filter(([id, e]) => a.get(id)?.key !== e.key).map(([, e]) => e.value);
  const removed = <T>(a: Map<string, T>, b: Map<string, T>) => [...a.keys()].filter((id) => !b.has(id));
  const update: FleetUpdate = {
    reset: false,
    clusters: changed(prev.clusters, next.clusters),
    removedClusters: removed(prev.clusters, next.clusters),
    apps: changed(prev.apps, next.apps),
    removedApps: removed(prev.apps, next.apps),
    cells: changed(prev.cells, next.cells),
    removedCells: removed(prev.cells, next.cells).map((id) => {
      const [cluster, app] = id.split("\u0000") as [string, string];
      return { cluster, app };
    }),
  };
  const empty = [update.clusters, update.removedClusters, update.apps, update.removedApps, update.cells, update.removedCells].every((l) => l!.length === 0);
  return empty ? undefined : update;
}

export interface FleetFeed {
  /** A reset, then one message per batch of changes, until the signal aborts. */
  watch(signal: AbortSignal): AsyncGenerator<FleetUpdate, void>;
}

/**
 * The fleet as a stream for every open dashboard, from one shared reader: it re-reads the matrix
 * from the database (so it shows changes whichever hub replica received them) only while someone
 * watches, at most every `minIntervalMs`, and backs off to `loadFactor` times its own read time on
 * a large fleet so that watching never takes more than a share of the hub's CPU.
 */
export function createFleetFeed(db: Db, minIntervalMs: number, loadFactor: number): FleetFeed {
  let latest: FleetSnapshot | undefined;
  let failure: unknown;
  let version = 0;
  let watchers = 0;
  let running = false;
  const wakers = new Set<() => void>();
  const publish = () => {
    version++;
    for (const wake of wakers) wake();
    wakers.clear();
  };

  async function read(): Promise<void> {
    running = true;
    failure = undefined;
    while (watchers > 0) {
      const started = performance.now();
      try {
        latest = await readFleet(db);
      } catch (err) {
        failure = err;
        latest = undefined;
        running = false;
        publish();
        return;
      }
      publish();
      await sleep(Math.max(minIntervalMs, (performance.now() - started) * loadFactor));
    }
    // Nobody watches: the next watcher starts from a fresh read, not from this old snapshot.
    latest = undefined;
    running = false;
  }

  const changed = (seen: number, signal: AbortSignal) =>
    new Promise<void>((resolve) => {
      if (version !== seen || signal.aborted) return resolve();
      const wake = () => {
        signal.removeEventListener("abort", wake);
        wakers.delete(wake);
        resolve();
      };
      wakers.add(wake);
      signal.addEventListener("abort", wake, { once: true });
    });

  return {
    async *watch(signal) {
      watchers++;
      if (!running) void read();
      try {
        let seen = latest ? -1 : version;
        let prev: FleetSnapshot | undefined;
        while (!signal.aborted) {
          await changed(seen, signal);
          if (signal.aborted) return;
          if (failure) throw failure;
          seen = version;
          const update = prev ? fleetDiff(prev, latest!) : fleetReset(latest!);
          prev = latest;
          if (update) yield update;
        }
      } finally {
        watchers--;
      }
    },
  };
}

function sleep(ms: number): Promise<void> {
  // Unref'd: a hub shutting down does not wait for the next read.
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
