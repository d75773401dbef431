import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { AuditRecordSchema } from "@gitfleet/shared";
import type { Init } from "../delivery/context.js";
import type { Db } from "../store/index.js";

/** Appends who did what to the audit trail. */
export async function audit(db: Db, actor: string, action: string, subject: string, detail: Record<string, unknown> = {}): Promise<void> {
  await db.auditEvent.create({ data: { actor, action, subject, detail: JSON.stringify(detail) } });
}

export type AuditFilter = { app?: string; cluster?: string; sinceMs?: number };

/**
 * The trail in order. An event concerns an App or a cluster when it is its subject, or (rollout
 * transitions of one cluster) when its detail names it.
 */
export async function listAudit(db: Db, f: AuditFilter, now = Date.now()): Promise<Init<typeof AuditRecordSchema>[]> {
  const rows = await db.auditEvent.findMany({ where: f.sinceMs ? { at: { gte: new Date(now - f.sinceMs) } } : {}, orderBy: { id: "asc" } });
  return rows
    .filter((r) => {
      const detail = JSON.parse(r.detail) as { cluster?: string };
      if (f.app && r.subject !== f.app) return false;
      return !f.cluster || r.subject === f.cluster || detail.cluster === f.cluster;
    })
    .map((r) => ({ id: BigInt(r.id), at: timestampFromDate(r.at), actor: r.actor, action: r.action, subject: r.subject, detailJson: r.detail }));
}
