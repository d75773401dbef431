import { clustersSummary, ROLLOUT_CLUSTERS_ACTION } from "@gitfleet/shared/audit";
import type { AuditRecord } from "@gitfleet/shared/proto";

/** Events whose actor, action, subject or detail contain the query (any case), newest first. */
export function auditRows(events: readonly AuditRecord[], query: string): AuditRecord[] {
  const q = query.trim().toLowerCase();
  return events.filter((e) => !q || [e.actor, e.action, e.subject, e.detailJson].some((t) => t.toLowerCase().includes(q))).sort((a, b) => Number(b.id - a.id));
}

/**
 * An event's detail as shown: empty when it has none, its JSON, or for a group of clusters'
 * transitions a line summing it up and every cluster it names (a row holds up to 1,000).
 */
export function auditDetail(e: Pick<AuditRecord, "action" | "detailJson">): { text: string; clusters?: string[] } {
  if (e.action === ROLLOUT_CLUSTERS_ACTION) {
    const detail = JSON.parse(e.detailJson) as Record<string, unknown>;
    const text = clustersSummary(e.action, detail);
    if (text) return { text, clusters: (detail.clusters as unknown[]).map(String) };
  }
  return { text: e.detailJson === "{}" ? "" : e.detailJson };
}
