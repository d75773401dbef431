import { RpcError } from "@gitfleet/shared";
import type { Ctx } from "../delivery/context.js";

export interface SyncResult {
  clusters: string[];
  disconnected: string[];
}

/** `gitfleet app sync`: asks the agents running an App to reconcile it now, without a new revision. */
export async function requestSync(ctx: Pick<Ctx, "db" | "sessions">, app: string, cluster?: string): Promise<SyncResult> {
  if (!(await ctx.db.app.findUnique({ where: { name: app }, select: { name: true } }))) throw new RpcError("NOT_FOUND", `no app named "${app}"`);
  const rows = await ctx.db.assignment.findMany({ where: { app, ...(cluster ? { clusterName: cluster } : {}) }, select: { clusterName: true }, orderBy: { clusterName: "asc" } });
  if (cluster && rows.length === 0) throw new RpcError("FAILED_PRECONDITION", `app "${app}" is not assigned to cluster "${cluster}" (see gitfleet app show ${app})`);
  const result: SyncResult = { clusters: [], disconnected: [] };
  for (const { clusterName } of rows) {
    const sent = ctx.sessions.send(clusterName, { msg: { case: "sync", value: { apps: [app] } } });
    (sent ? result.clusters : result.disconnected).push(clusterName);
  }
  return result;
}
