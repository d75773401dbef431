import type { AppSpec } from "../definitions/index.js";
import { firstMatch } from "../targeting/index.js";
import { effectiveLabels } from "../registry/clusters.js";
import { approvedClusters, push, writeDiff, type Row } from "./assignments.js";
import type { Ctx } from "../delivery/context.js";
import type { Fetcher } from "../sources/fetcher.js";
import type { Renderer } from "../render/renderer.js";

export type Prepared = { digests: string[] } | { error: string };

/** From an App's desired revision to per-cluster Assignments, and back when a cluster changes. */
export function createReconciler(ctx: Ctx, fetcher: Fetcher, renderer: Renderer) {
  const { db, log } = ctx;

  /** Renders every target at sha; one broken target fails the whole App (nothing half-applied). */
  async function prepare(spec: AppSpec, sha: string): Promise<Prepared> {
    const outcomes = await Promise.all(spec.targets.map((t) => renderer.render(spec, sha, t)));
    const errors = outcomes.flatMap((o, i) => ("error" in o ? [`target ${spec.targets[i]!.name}: ${o.error}`] : []));
    return errors.length ? { error: errors.join("\n") } : { digests: outcomes.map((o) => ("digest" in o ? o.digest : "")) };
  }

  async function desiredRevision(row: { pinnedRevision: string | null }, spec: AppSpec): Promise<string | undefined> {
    if (!row.pinnedRevision) return (await db.source.findUnique({ where: { name: spec.source } }))?.lastRevision ?? undefined;
    if (/^[0-9a-f]{40}$/.test(row.pinnedRevision)) return row.pinnedRevision;
    return (await fetcher.resolveCommit(spec.source, row.pinnedRevision)).sha;
  }

  /** Brings one App's assignments to its desired revision; `all` re-pushes every cluster it runs on (spec change). */
  async function reconcileApp(name: string, all = false): Promise<void> {
    const row = await db.app.findUnique({ where: { name } });
    if (!row) return;
    const spec = JSON.parse(row.spec) as AppSpec;
    let sha: string | undefined;
    let prepared: Prepared;
    try {
      sha = await desiredRevision(row, spec);
      if (!sha) return; // the Source has not been fetched yet; its first fetch reconciles this App
      prepared = await prepare(spec, sha);
    } catch (err) {
      prepared = { error: (err as Error).message };
    }
    if ("error" in prepared) {
      log.warn({ app: name, revision: sha, err: prepared.error }, "app not delivered: clusters keep their last good bundle");
      await db.app.update({ where: { name }, data: { lastError: prepared.error, lastErrorRevision: sha ?? null } });
      return;
    }
    await db.app.update({ where: { name }, data: { revision: sha!, lastError: null, lastErrorRevision: null } });
    const existing = await db.assignment.findMany({ where: { app: name } });
    const desired: Row[] = [];
    for (const c of await approvedClusters(ctx)) {
      const i = firstMatch(spec.targets, c);
      if (i >= 0) desired.push({ clusterName: c.name, app: name, target: spec.targets[i]!.name, revision: sha!, bundleDigest: prepared.digests[i]! });
    }
    const changed = await writeDiff(ctx, existing, desired);
    if (all) for (const r of [...existing, ...desired]) changed.add(r.clusterName);
    await push(ctx, changed);
  }

  /** Labels changed, approved, registered or deleted: recomputes only this cluster's assignments; true when it pushed. */
  async function clusterChanged(cluster: string): Promise<boolean> {
    const row = await db.cluster.findUnique({ where: { name: cluster } });
    const existing = await db.assignment.findMany({ where: { clusterName: cluster } });
    if (!row) {
      await db.$transaction([db.assignment.deleteMany({ where: { clusterName: cluster } }), db.appStatus.deleteMany({ where: { clusterName: cluster } })]);
      return false;
    }
    const desired: Row[] = [];
    if (row.approved) {
      const facts = { name: cluster, labels: effectiveLabels(row) };
      for (const app of await db.app.findMany({ where: { revision: { not: null } } })) {
        const spec = JSON.parse(app.spec) as AppSpec;
        const i = firstMatch(spec.targets, facts);
        if (i < 0) continue;
        const outcome = await renderer.render(spec, app.revision!, spec.targets[i]!).catch((err: unknown) => ({ error: String(err) }));
        const keep = existing.find((e) => e.app === app.name);
        if ("digest" in outcome) desired.push({ clusterName: cluster, app: app.name, target: spec.targets[i]!.name, revision: app.revision!, bundleDigest: outcome.digest });
        else if (keep) desired.push(keep); // cannot render the new target: keep what runs
      }
    }
    if ((await writeDiff(ctx, existing, desired)).size === 0) return false;
    await push(ctx, [cluster]);
    return true;
  }

  async function removeApp(name: string): Promise<void> {
    const rows = await db.assignment.findMany({ where: { app: name }, select: { clusterName: true } });
    await db.$transaction([db.assignment.deleteMany({ where: { app: name } }), db.appStatus.deleteMany({ where: { app: name } })]);
    await push(ctx, rows.map((r) => r.clusterName));
  }

  return { prepare, reconcileApp, clusterChanged, removeApp };
}
export type Reconciler = ReturnType<typeof createReconciler>;
