// Audit rows that more than one reader (hub, CLI, dashboard) knows the shape of. Browser-safe.

/** A rollout tick's transitions of a group of clusters sharing was, step, stage and message: detail {from, to, was, step, stage, message, clusters, count}. */
export const ROLLOUT_CLUSTERS_ACTION = "rollout.clusters";

/** Cluster names a one-line summary shows before "…". */
const NAMES_SHOWN = 5;

/**
 * A rollout.clusters row's detail in a line ("42 clusters Updating→Healthy in stage canary: a, b,
 * c, d, e, … (37 more)"), a message in parentheses; undefined for another action or a detail not of that shape.
 */
export function clustersSummary(action: string, detail: Record<string, unknown>): string | undefined {
  const { was, step, stage, message, clusters } = detail;
  if (action !== ROLLOUT_CLUSTERS_ACTION || !Array.isArray(clusters) || typeof step !== "string") return undefined;
  const names = clusters.slice(0, NAMES_SHOWN).map(String).join(", ") + (clusters.length > NAMES_SHOWN ? `, … (${clusters.length - NAMES_SHOWN} more)` : "");
  return `${clusters.length} cluster${clusters.length === 1 ? "" : "s"} ${typeof was === "string" ? `${was}→` : ""}${step} in stage ${String(stage)}${message ? ` (${String(message)})` : ""}: ${names}`;
}
