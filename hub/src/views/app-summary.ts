import { HealthState, type AppSummarySchema, type ClusterAppStatusSchema } from "@gitfleet/shared";
import { firstMatch, selectorText, type ClusterFacts } from "../targeting/index.js";
import type { AppRecord, Assignment, AppStatus } from "../store/index.js";
import type { AppSpec } from "../definitions/index.js";
import { groupBy } from "../assign/assignments.js";
import { approvedClusterFacts } from "../registry/clusters.js";
import type { Ctx, Init } from "../delivery/context.js";
import { renderKey, substituteVars } from "../render/renderer.js";
import { healthOf, isSynced, objectsOf, statusDetail, type StatusCounts } from "../status/ingest.js";
import { reportsDesired } from "../status/desired.js";
import { HubError } from "../errors.js";

export type AppSummaryInit = Init<typeof AppSummarySchema>;
export type ClusterAppStatusInit = Init<typeof ClusterAppStatusSchema>;

const approvedClusters = (ctx: Ctx): Promise<ClusterFacts[]> => approvedClusterFacts(ctx.db);

export async function listApps(ctx: Ctx): Promise<AppSummaryInit[]> {
  // Only the counted columns: the rest, and the per-object results, are for getApp.
  const [apps, assignments, statuses, clusters] = await Promise.all([
    ctx.apps.list(),
    ctx.db.assignment.findMany(),
    ctx.db.appStatus.findMany({ select: { clusterName: true, app: true, sync: true, health: true, revision: true, bundleDigest: true } }),
    approvedClusters(ctx),
  ]);
  const byApp = groupBy(assignments, (a) => a.app);
  const statusByApp = groupBy(statuses, (s) => s.app);
  return Promise.all(apps.map((a) => summarize(ctx, a, byApp.get(a.name) ?? [], statusByApp.get(a.name) ?? [], clusters)));
}

/** One App, and per cluster what it should run next to what it reports running. */
export async function getApp(ctx: Ctx, name: string): Promise<{ app: AppSummaryInit; clusters: ClusterAppStatusInit[] }> {
  const row = await ctx.apps.get(name);
  if (!row) throw new HubError("NOT_FOUND", `no app named "${name}" (see \`gitfleet app list\`)`);
  const [assignments, statuses, fleet] = await Promise.all([
    ctx.db.assignment.findMany({ where: { app: name }, orderBy: { clusterName: "asc" } }),
    ctx.db.appStatus.findMany({ where: { app: name } }),
    approvedClusters(ctx),
  ]);
  const status = new Map(statuses.map((s) => [s.clusterName, s]));
  const objects = await objectsOf(ctx.db, statuses);
  const clusters: ClusterAppStatusInit[] = assignments.map((a) => {
    const s = status.get(a.clusterName);
    return { cluster: a.clusterName, target: a.target, desiredRevision: a.revision, desiredDigest: a.bundleDigest, ...statusDetail(s, objects), behind: !reportsDesired(a, s) };
  });
  // A cluster that lost the app but still reports it (pruning in progress).
  // A set, not a scan of the assignments per status: 10,000 of each made the App page 100 million comparisons.
  const assigned = new Set(assignments.map((a) => a.clusterName));
  for (const s of statuses) if (!assigned.has(s.clusterName)) clusters.push({ cluster: s.clusterName, ...statusDetail(s, objects) });
  return { app: await summarize(ctx, row, assignments, statuses, fleet), clusters };
}

/** clusters: every approved cluster; "matched" counts those the targets select, assigned yet or not (a first render may have failed). */
async function summarize(ctx: Ctx, row: AppRecord, assignments: Assignment[], statuses: (StatusCounts & Pick<AppStatus, "clusterName">)[], clusters: ClusterFacts[]): Promise<AppSummaryInit> {
  const { spec } = row;
  const keys = spec.targets.flatMap((t) => [row.revision, row.lastErrorRevision].filter((r): r is string => !!r).map((sha) => renderKey(spec, sha, t)));
  const renders = new Map((await ctx.db.render.findMany({ where: { key: { in: keys } } })).map((r) => [r.key, r]));
  const status = new Map(statuses.map((s) => [s.clusterName, s]));
  // A target's own render, or with substitute the bundles its clusters are assigned at the revision and its lines of the App's error.
  const targetView = (t: AppSpec["targets"][number]) => {
    const own = row.revision ? renders.get(renderKey(spec, row.revision, t))?.digest : undefined;
    const digests = new Set(assignments.filter((a) => a.target === t.name && a.revision === row.revision).map((a) => a.bundleDigest));
    const baseError = row.lastErrorRevision ? renders.get(renderKey(spec, row.lastErrorRevision, t))?.error : undefined;
    if (!substituteVars(spec, t)) return { bundleDigest: own || "", bundles: digests.size || (own ? 1 : 0), error: baseError || "" };
    const prefix = `target ${t.name}: `;
    const lines = row.lastErrorRevision ? (row.lastError ?? "").split("\n").filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length)) : [];
    return { bundleDigest: digests.size === 1 ? [...digests][0]! : "", bundles: digests.size, error: baseError || lines.join("\n") };
  };
  return {
    name: row.name,
    source: spec.source,
    path: spec.path,
    targets: spec.targets.map((t) => ({
      name: t.name,
      selector: selectorText(t),
      overlay: t.overlay ?? "",
      namespace: t.namespace ?? "",
      clusters: assignments.filter((a) => a.target === t.name).length,
      ...targetView(t),
    })),
    revision: row.revision ?? "",
    pinnedRevision: row.pinnedRevision ?? "",
    clustersMatched: clusters.filter((c) => firstMatch(spec.targets, c) >= 0).length,
    clustersSynced: assignments.filter((a) => isSynced(a, status.get(a.clusterName))).length,
    clustersHealthy: assignments.filter((a) => healthOf(status.get(a.clusterName)) === HealthState.HEALTHY).length,
    error: row.lastError ?? "",
    errorRevision: row.lastErrorRevision ?? "",
    specJson: row.specJson,
  };
}
