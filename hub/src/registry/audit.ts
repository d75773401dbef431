import type { Db } from "../store/index.js";

/** Appends who did what to the audit trail. */
export async function audit(db: Db, actor: string, action: string, subject: string, detail: Record<string, unknown> = {}): Promise<void> {
  await db.auditEvent.create({ data: { actor, action, subject, detail: JSON.stringify(detail) } });
}
