import type { FleetCell, FleetCluster } from "@gitfleet/shared/proto";
import { matchesLabels } from "../fleet-state.js";
import { short } from "../format.js";
import type { Link } from "../use-fleet.js";
import { healthLook, syncLook } from "../components/states.js";

export type Row = { kind: "group"; label: string; count: number } | { kind: "cluster"; cluster: FleetCluster };

/** What the toolbar asks of the matrix: a name search, a label filter (`env=prod,region!=us`), a label to group by. */
export type MatrixView = { search: string; labels: string; groupBy: string };

/** The matrix's rows: matching clusters by name, under one header row per value of the group-by label (groups by value). */
export function fleetRows(clusters: Iterable<FleetCluster>, view: MatrixView): Row[] {
  const q = view.search.trim().toLowerCase();
  const shown = [...clusters].filter((c) => (!q || c.name.toLowerCase().includes(q)) && matchesLabels(c.labels, view.labels));
  const groups = new Map<string, FleetCluster[]>();
  for (const c of shown.sort((a, b) => a.name.localeCompare(b.name))) {
    const g = view.groupBy ? (c.labels[view.groupBy] ?? "(none)") : "";
    const list = groups.get(g) ?? [];
    list.push(c);
    groups.set(g, list);
  }
  const out: Row[] = [];
  for (const [g, list] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    if (view.groupBy) out.push({ kind: "group", label: `${view.groupBy}=${g}`, count: list.length });
    out.push(...list.map((cluster): Row => ({ kind: "cluster", cluster })));
  }
  return out;
}

/** Every label key in the fleet, sorted: the group-by choices. */
export const labelKeys = (clusters: Iterable<FleetCluster>): string[] => [...new Set([...clusters].flatMap((c) => Object.keys(c.labels)))].sort();

/** A cell's words: the revision it runs, what it moves to while behind, and the link's full accessible name. */
export function cellText(cell: FleetCell): { revision: string; movingTo?: string; label: string } {
  const revision = short(cell.appliedRevision || cell.desiredRevision);
  // The hub decides what is behind (revision and bundle): at the same revision, only the bundle moves.
  const newBundle = cell.behind && cell.appliedRevision === cell.desiredRevision;
  const movingTo = cell.behind ? (newBundle ? "new bundle" : short(cell.desiredRevision)) : undefined;
  const parts = [`${syncLook(cell.sync).label}, ${healthLook(cell.health).label}, revision ${revision || "none"}`];
  if (movingTo !== undefined) parts.push(`moving to ${newBundle ? `a new bundle of ${revision}` : movingTo}`);
  if (cell.rolloutStep) parts.push(`rollout step ${cell.rolloutStep}`);
  return { revision, movingTo, label: `${cell.app} on ${cell.cluster}: ${parts.join(", ")}` };
}

/** The stream's state in the toolbar. */
export function linkText(link: Link, error?: string): string {
  if (link === "live") return "● Live";
  if (link === "connecting") return "Connecting…";
  return `Reconnecting… ${error ?? ""}`;
}
