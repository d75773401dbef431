import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { AuditRecordSchema } from "@gitfleet/shared";
import type { Init } from "../delivery/context.js";
import { HubError } from "../errors.js";
import { decodeJson, plainObject, type Db } from "../store/index.js";

/** Appends who did what to the audit trail. */
export async function audit(db: Db, actor: string, action: string, subject: string, detail: Record<string, unknown> = {}): Promise<void> {
  await db.auditEvent.create({ data: { actor, action, subject, detail: JSON.stringify(detail) } });
}

export type AuditFilter = { app?: string; cluster?: string; sinceMs?: number; pageSize?: number; pageToken?: string };

/** Events a page holds when the caller names no size, and at most. */
export const AUDIT_PAGE_SIZE = 500;
export const AUDIT_PAGE_MAX = 5000;
/** Rows read per query while filtering by cluster (which is matched in the event's detail too). */
const SCAN_BATCH = 1000;

type Row = Awaited<ReturnType<Db["auditEvent"]["findMany"]>>[number];

/**
 * A page of the trail: the newest matching events older than pageToken, oldest first, and the token
 * of the next (older) page when there is one. An event concerns an App when it is its subject, a
 * cluster when it is its subject or its detail names it (rollout transitions of clusters).
 */
export async function listAudit(db: Db, f: AuditFilter, now = Date.now()): Promise<{ events: Init<typeof AuditRecordSchema>[]; nextPageToken: string }> {
  const size = pageSize(f.pageSize);
  let before = pageCursor(f.pageToken);
  const page: Row[] = [];
  let more = false;
  while (!more) {
    const rows = await db.auditEvent.findMany({
      where: { ...(f.sinceMs ? { at: { gte: new Date(now - f.sinceMs) } } : {}), ...(f.app ? { subject: f.app } : {}), ...(before !== undefined ? { id: { lt: before } } : {}) },
      orderBy: { id: "desc" },
      take: SCAN_BATCH,
    });
    for (const r of rows.filter((r) => concerns(r, f.cluster))) {
      if (page.length === size) more = true;
      else page.push(r);
    }
    if (rows.length < SCAN_BATCH) break;
    before = rows[rows.length - 1]!.id;
  }
  page.reverse();
  return {
    events: page.map((r) => ({ id: BigInt(r.id), at: timestampFromDate(r.at), actor: r.actor, action: r.action, subject: r.subject, detailJson: r.detail })),
    nextPageToken: more ? String(page[0]!.id) : "",
  };
}

function concerns(r: Row, cluster: string | undefined): boolean {
  if (!cluster || r.subject === cluster) return true;
  const { clusters, cluster: one } = decodeJson(r.detail, `AuditEvent ${r.id}`, "detail", plainObject);
  // rollout.clusters names every cluster of a group of transitions; rows from before it (rollout.cluster) name one.
  return one === cluster || (Array.isArray(clusters) && clusters.includes(cluster));
}

function pageSize(n: number | undefined): number {
  if (!n) return AUDIT_PAGE_SIZE;
  if (!Number.isInteger(n) || n < 0 || n > AUDIT_PAGE_MAX) throw new HubError("INVALID_ARGUMENT", `page_size ${n}: want 1 to ${AUDIT_PAGE_MAX} (0: ${AUDIT_PAGE_SIZE})`);
  return n;
}

function pageCursor(token: string | undefined): number | undefined {
  if (!token) return undefined;
  if (!/^[1-9]\d{0,15}$/.test(token)) throw new HubError("INVALID_ARGUMENT", `page_token "${token.slice(0, 40)}": want the next_page_token of a previous answer`);
  return Number(token);
}
