import type { MessageInitShape } from "@bufbuild/protobuf";
import { ClusterState, type FleetAppSchema, type FleetCellSchema, type FleetClusterSchema, type WatchFleetResponseSchema } from "@gitfleet/shared";
import type { Db } from "../store/index.js";
import { effectiveLabels } from "../registry/clusters.js";
import { healthOf, syncOf } from "../status/ingest.js";

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
const cellId = (cluster: string, app: string) => `${cluster}\u0000${app}`;
const keyed = <T>(value: T) => ({ value, key: JSON.stringify(value) });

/** Reads only the columns the matrix shows: no per-object results, no specs. */
export async function readFleet(db: Db): Promise<FleetSnapshot> {
  const [clusters, apps, assignments, statuses] = await Promise.all([
    db.cluster.findMany({ select: { name: true, state: true, tokenLabels: true, agentLabels: true, adminLabels: true } }),
    db.app.findMany({ select: { name: true, revision: true } }),
    db.assignment.findMany({ select: { clusterName: true, app: true, revision: true } }),
    db.appStatus.findMany({ select: { clusterName: true, app: true, revision: true, sync: true, health: true, message: true } }),
  ]);
  const snap: FleetSnapshot = { clusters: new Map(), apps: new Map(), cells: new Map() };
  for (const c of clusters) {
    snap.clusters.set(c.name, keyed({ name: c.name, labels: effectiveLabels(c), state: STATE[c.state] ?? ClusterState.UNSPECIFIED }));
  }
  for (const a of apps) snap.apps.set(a.name, keyed({ name: a.name, revision: a.revision ?? "" }));
  const status = new Map(statuses.map((s) => [cellId(s.clusterName, s.app), s]));
  const ids = new Set([...assignments.map((a) => cellId(a.clusterName, a.app)), ...status.keys()]);
  const desired = new Map(assignments.map((a) => [cellId(a.clusterName, a.app), a.revision]));
  for (const id of ids) {
    const [cluster, app] = id.split("\u0000") as [string, string];
    const s = status.get(id);
    snap.cells.set(
      id,
      keyed({ cluster, app, desiredRevision: desired.get(id) ?? "", appliedRevision: s?.revision ?? "", sync: syncOf(s), health: healthOf(s), message: s?.message ?? "" }),
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

/**
 * The fleet as a stream: a reset, then one message per batch of changes. It re-reads the database
 * (not in-process events), so it shows changes whichever hub replica received them.
 */
export async function* watchFleet(db: Db, signal: AbortSignal, intervalMs: number): AsyncGenerator<FleetUpdate> {
  let prev = await readFleet(db);
  yield fleetReset(prev);
  while (!signal.aborted) {
    await sleep(intervalMs, signal);
    if (signal.aborted) return;
    const next = await readFleet(db);
    const update = fleetDiff(prev, next);
    prev = next;
    if (update) yield update;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
