import type { FleetApp, FleetCell, FleetCluster, WatchFleetResponse } from "@gitfleet/shared/proto";

/** The matrix as the page holds it, folded from the WatchFleet stream. */
export interface Fleet {
  clusters: Map<string, FleetCluster>;
  apps: Map<string, FleetApp>;
  cells: Map<string, FleetCell>;
}

export const cellKey = (cluster: string, app: string) => `${cluster}/${app}`;

export function emptyFleet(): Fleet {
  return { clusters: new Map(), apps: new Map(), cells: new Map() };
}

/** Applies one message: a reset replaces everything, anything else changes only what it names. */
export function applyUpdate(fleet: Fleet, u: WatchFleetResponse): Fleet {
  const next: Fleet = u.reset ? emptyFleet() : { clusters: new Map(fleet.clusters), apps: new Map(fleet.apps), cells: new Map(fleet.cells) };
  for (const c of u.clusters) next.clusters.set(c.name, c);
  for (const name of u.removedClusters) next.clusters.delete(name);
  for (const a of u.apps) next.apps.set(a.name, a);
  for (const name of u.removedApps) next.apps.delete(name);
  for (const c of u.cells) next.cells.set(cellKey(c.cluster, c.app), c);
  for (const k of u.removedCells) next.cells.delete(cellKey(k.cluster, k.app));
  return next;
}

/** The cells of one cluster, by App name: its row of the matrix. */
export const cellsOf = (fleet: Fleet, cluster: string): FleetCell[] =>
  [...fleet.cells.values()].filter((c) => c.cluster === cluster).sort((a, b) => a.app.localeCompare(b.app));

/** `env=prod,region!=us,tier,!canary`: the label terms the matrix filter takes, all of which must hold. */
export function matchesLabels(labels: Record<string, string>, filter: string): boolean {
  return filter
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean)
    .every((term) => {
      const neq = /^([^!=]+)!=(.*)$/.exec(term);
      if (neq) return labels[neq[1]!.trim()] !== neq[2]!.trim();
      const eq = /^([^!=]+)==?(.*)$/.exec(term);
      if (eq) return labels[eq[1]!.trim()] === eq[2]!.trim();
      if (term.startsWith("!")) return !(term.slice(1).trim() in labels);
      return term in labels;
    });
}
