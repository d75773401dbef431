import type { Ctx } from "../delivery/context.js";
import { HubError } from "../errors.js";

export interface SyncResult {
  clusters: string[];
  disconnected: string[];
}

/** `gitfleet app sync`: asks the agents running an App to reconcile it now, without a new revision. */
export async function requestSync(ctx: Pick<Ctx, "db" | "apps" | "sessions">, app: string, cluster?: string): Promise<SyncResult> {
  if (!(await ctx.apps.get(app))) throw new HubError("NOT_FOUND", `no app named "${app}"`);
  const rows = await ctx.db.assignment.findMany({ where: { app, ...(cluster ? { clusterName: cluster } : {}) }, select: { clusterName: true }, orderBy: { clusterName: "asc" } });
  if (cluster && rows.length === 0) throw new HubError("FAILED_PRECONDITION", `app "${app}" is not assigned to cluster "${cluster}" (see gitfleet app show ${app})`);
  const result: SyncResult = { clusters: [], disconnected: [] };
  for (const { clusterName } of rows) {
    const sent = ctx.sessions.send(clusterName, { msg: { case: "sync", value: { apps: [app] } } });
    (sent ? result.clusters : result.disconnected).push(clusterName);
  }
  return result;
}
