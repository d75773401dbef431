import type { Ctx } from "../delivery/context.js";
import { HubError } from "../errors.js";
import { inChunks } from "../store/chunks.js";

export interface SyncResult {
  clusters: string[];
  disconnected: string[];
}

/** `gitfleet app sync`: asks the agents running an App to reconcile it now, without a new revision. */
export async function requestSync(ctx: Pick<Ctx, "db" | "apps" | "sessions" | "feed">, app: string, cluster?: string): Promise<SyncResult> {
  if (!(await ctx.apps.get(app))) throw new HubError("NOT_FOUND", `no app named "${app}"`);
  const rows = await ctx.db.assignment.findMany({ where: { app, ...(cluster ? { clusterName: cluster } : {}) }, select: { clusterName: true }, orderBy: { clusterName: "asc" } });
  if (cluster && rows.length === 0) throw new HubError("FAILED_PRECONDITION", `app "${app}" is not assigned to cluster "${cluster}" (see gitfleet app show ${app})`);
  const result: SyncResult = { clusters: [], disconnected: [] };
  const elsewhere: string[] = [];
  for (const { clusterName } of rows) {
    if (ctx.sessions.send(clusterName, { msg: { case: "sync", value: { apps: [app] } } })) result.clusters.push(clusterName);
    else elsewhere.push(clusterName);
  }
  // Agents connected to another hub (several hubs on PostgreSQL) get the request through it.
  const connected = await Promise.all(inChunks(elsewhere).map((names) => ctx.db.cluster.findMany({ where: { name: { in: names }, state: "Connected" }, select: { name: true } })));
  const remote = new Set(connected.flat().map((c) => c.name));
  if (remote.size) ctx.feed.publish({ kind: "sync", app, names: [...remote] });
  for (const name of elsewhere) (remote.has(name) ? result.clusters : result.disconnected).push(name);
  result.clusters.sort();
  return result;
}
