import { timestampDate } from "@bufbuild/protobuf/wkt";
import { redactSecretFields, type DriftReport } from "@gitfleet/shared";
import type { Db } from "../store/index.js";

const objectWhere = (cluster: string, app: string, ref: { apiVersion: string; kind: string; namespace: string; name: string }) => ({
  clusterName: cluster,
  app,
  apiVersion: ref.apiVersion,
  kind: ref.kind,
  namespace: ref.namespace,
  name: ref.name,
});

/**
 * Folds an agent's drift report into the drift table: one row per drift episode of an object.
 * An open episode is updated (fields, manager, healed); apps reported in full close episodes
 * whose objects no longer drift. Returns the episodes that started (for notifications).
 */
export async function recordDrift(db: Db, cluster: string, report: DriftReport, now = new Date()): Promise<{ app: string; object: string }[]> {
  const reported = new Set<string>();
  const started: { app: string; object: string }[] = [];
  for (const e of report.events) {
    if (!e.ref) continue;
    const where = objectWhere(cluster, e.app, e.ref);
    reported.add(JSON.stringify(where));
    const healedAt = e.healedAt ? timestampDate(e.healedAt) : null;
    const data = {
      // Masked again here: a Secret's values are never stored, whatever an agent sends.
      fields: JSON.stringify(redactSecretFields(e.ref.kind, e.fields.map(({ path, desired, live }) => ({ path, desired, live })))),
      manager: e.manager,
      deleted: e.deleted,
      healedAt,
      active: healedAt === null,
    };
    const open = await db.driftEvent.findFirst({ where: { ...where, active: true }, orderBy: { id: "desc" } });
    if (open) await db.driftEvent.update({ where: { id: open.id }, data });
    else {
      await db.driftEvent.create({ data: { ...where, ...data, firstSeen: e.firstSeen ? timestampDate(e.firstSeen) : now } });
      started.push({ app: e.app, object: `${e.ref.kind}/${e.ref.namespace ? `${e.ref.namespace}/` : ""}${e.ref.name}` });
    }
  }
  if (report.apps.length === 0) return started;
  const stale = await db.driftEvent.findMany({ where: { clusterName: cluster, app: { in: report.apps }, active: true } });
  const resolved = stale.filter((r) => !reported.has(JSON.stringify(objectWhere(cluster, r.app, r))));
  if (resolved.length) {
    await db.driftEvent.updateMany({ where: { id: { in: resolved.map((r) => r.id) } }, data: { active: false, healedAt: now } });
  }
  return started;
}

/** Drops drift history older than the retention; open episodes are kept whatever their age. */
export async function pruneDrift(db: Db, retentionMs: number, now = Date.now()): Promise<number> {
  const res = await db.driftEvent.deleteMany({ where: { active: false, firstSeen: { lt: new Date(now - retentionMs) } } });
  return res.count;
}
