import type { ClusterAppStatus, TargetSummary } from "@gitfleet/shared/proto";
import { short } from "../format.js";

/** The clusters a target matched, by name as the hub lists them, or "none". */
export const targetClusters = (target: string, clusters: readonly ClusterAppStatus[]): string =>
  clusters.filter((c) => c.target === target).map((c) => c.cluster).join(", ") || "none";

/** A target's bundle: its digest when all its clusters share one, else how many there are (per-cluster values). */
export function bundleText(t: TargetSummary): string {
  if (t.bundleDigest) return short(t.bundleDigest.replace(/^sha256:/, ""));
  return t.bundles > 1 ? `${t.bundles} bundles (per cluster)` : "";
}
