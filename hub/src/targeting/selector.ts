import type { Labels } from "@gitfleet/shared";

/** The label a cluster group is expressed with: `clusterGroup: x` selects gitfleet.dev/group=x. */
export const GROUP_LABEL = "gitfleet.dev/group";

export const OPERATORS = ["In", "NotIn", "Exists", "DoesNotExist"] as const;
export type Requirement = { key: string; operator: (typeof OPERATORS)[number]; values?: string[] };
export type ClusterSelector = { matchLabels?: Labels; matchExpressions?: Requirement[] };

/** How a target picks clusters: exactly one of these is set. */
export type TargetSelector = { clusterSelector?: ClusterSelector; clusterGroup?: string; clusterNames?: string[] };
export type ClusterFacts = { name: string; labels: Labels };

export function selects(sel: TargetSelector, cluster: ClusterFacts): boolean {
  if (sel.clusterNames) return sel.clusterNames.includes(cluster.name);
  if (sel.clusterGroup !== undefined) return cluster.labels[GROUP_LABEL] === sel.clusterGroup;
  const { matchLabels = {}, matchExpressions = [] } = sel.clusterSelector ?? {};
  return Object.entries(matchLabels).every(([k, v]) => cluster.labels[k] === v) &&
    matchExpressions.every((r) => meets(r, cluster.labels));
}

// Kubernetes semantics: NotIn and DoesNotExist match clusters that lack the key.
function meets(r: Requirement, labels: Labels): boolean {
  const has = Object.hasOwn(labels, r.key);
  switch (r.operator) {
    case "In": return has && (r.values ?? []).includes(labels[r.key]!);
    case "NotIn": return !has || !(r.values ?? []).includes(labels[r.key]!);
    case "Exists": return has;
    case "DoesNotExist": return !has;
  }
}

/** Index of the first target selecting the cluster, or -1: a cluster gets at most one target per app. */
export function firstMatch(targets: readonly TargetSelector[], cluster: ClusterFacts): number {
  return targets.findIndex((t) => selects(t, cluster));
}

/** kubectl-style text of a selector, for listings. */
export function selectorText(sel: TargetSelector): string {
  if (sel.clusterNames) return `names: ${sel.clusterNames.join(",")}`;
  if (sel.clusterGroup !== undefined) return `${GROUP_LABEL}=${sel.clusterGroup}`;
  const { matchLabels = {}, matchExpressions = [] } = sel.clusterSelector ?? {};
  const parts = Object.entries(matchLabels).map(([k, v]) => `${k}=${v}`);
  for (const r of matchExpressions) {
    if (r.operator === "Exists") parts.push(r.key);
    else if (r.operator === "DoesNotExist") parts.push(`!${r.key}`);
    else parts.push(`${r.key} ${r.operator.toLowerCase()} (${(r.values ?? []).join(",")})`);
  }
  return parts.join(",") || "(all clusters)";
}
