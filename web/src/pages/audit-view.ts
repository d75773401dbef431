import type { AuditRecord } from "@gitfleet/shared/proto";

/** Events whose actor, action, subject or detail contain the query (any case), newest first. */
export function auditRows(events: readonly AuditRecord[], query: string): AuditRecord[] {
  const q = query.trim().toLowerCase();
  return events.filter((e) => !q || [e.actor, e.action, e.subject, e.detailJson].some((t) => t.toLowerCase().includes(q))).sort((a, b) => Number(b.id - a.id));
}

/** An event's detail as shown: empty when it has none. */
export const detailText = (detailJson: string) => (detailJson === "{}" ? "" : detailJson);
