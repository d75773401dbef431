import { GROUP_LABEL, selects, type ClusterFacts, type Requirement, type TargetSelector } from "./selector.js";

/** Whether a target selects a cluster, and why in plain words: the labels that satisfied it, or those missing or different. */
export function explainSelector(sel: TargetSelector, cluster: ClusterFacts): { matched: boolean; reason: string } {
  const matched = selects(sel, cluster);
  const labels = cluster.labels;
  if (sel.clusterNames) return { matched, reason: matched ? `${cluster.name} is in clusterNames` : `${cluster.name} is not in clusterNames (${sel.clusterNames.join(", ")})` };
  if (sel.clusterGroup !== undefined) return { matched, reason: label(GROUP_LABEL, sel.clusterGroup, labels) };
  const { matchLabels = {}, matchExpressions = [] } = sel.clusterSelector ?? {};
  const parts = [...Object.entries(matchLabels).map(([k, v]) => ({ ok: labels[k] === v, text: label(k, v, labels) })), ...matchExpressions.map((r) => requirement(r, labels))];
  if (parts.length === 0) return { matched, reason: "the selector is empty: it selects every cluster" };
  return { matched, reason: parts.filter((p) => p.ok === matched).map((p) => p.text).join("; ") };
}

function label(k: string, v: string, labels: Record<string, string>): string {
  if (labels[k] === v) return `${k}=${v}`;
  return Object.hasOwn(labels, k) ? `${k} is "${labels[k]}", want "${v}"` : `no label ${k} (want ${k}=${v})`;
}

function requirement(r: Requirement, labels: Record<string, string>): { ok: boolean; text: string } {
  const has = Object.hasOwn(labels, r.key);
  const values = (r.values ?? []).join(",");
  const ok = selects({ clusterSelector: { matchExpressions: [r] } }, { name: "", labels });
  switch (r.operator) {
    case "In":
      return { ok, text: ok ? `${r.key}=${labels[r.key]} (in ${values})` : has ? `${r.key} is "${labels[r.key]}", want one of ${values}` : `no label ${r.key} (want one of ${values})` };
    case "NotIn":
      return { ok, text: ok ? `${r.key} ${has ? `is "${labels[r.key]}"` : "is not set"} (not in ${values})` : `${r.key} is "${labels[r.key]}", want none of ${values}` };
    case "Exists":
      return { ok, text: ok ? `${r.key} is set` : `no label ${r.key} (want it set)` };
    case "DoesNotExist":
      return { ok, text: ok ? `${r.key} is not set` : `${r.key} is set ("${labels[r.key]}"), want it absent` };
  }
}
