import type { AppSpec } from "../definitions/index.js";
import { firstMatch } from "../targeting/index.js";
import { effectiveLabels } from "../registry/clusters.js";
import type { RolloutController } from "../rollout/index.js";
import { push } from "./assignments.js";
import { inChunks } from "../store/chunks.js";
import type { Ctx } from "../delivery/context.js";
import type { Fetcher } from "../sources/fetcher.js";
import type { Renderer } from "../render/renderer.js";

export type Prepared = { digests: string[] } | { error: string };

/** From an App's desired revision to per-cluster Assignments, and back when a cluster changes. */
/** Schedules an App again when it failed for a reason that is not its commit's. */
export interface RetryApps {
  later(app: string): void;
  done(app: string): void;
}

export function createReconciler(ctx: Ctx, fetcher: Fetcher, renderer: Renderer, rollout: RolloutController, retry?: RetryApps) {
  const { db, log } = ctx;

  /** Renders every target at sha; one broken target fails the whole App (nothing half-applied). */
  async function prepare(spec: AppSpec, sha: string): Promise<Prepared> {
    const outcomes = await Promise.all(spec.targets.map((t) => renderer.render(spec, sha, t)));
    const errors = outcomes.flatMap((o, i) => ("error" in o ? [`target ${spec.targets[i]!.name}: ${o.error}`] : []));
    return errors.length ? { error: errors.join("\n") } : { digests: outcomes.map((o) => ("digest" in o ? o.digest : "")) };
  }

  async function desiredRevision(row: { pinnedRevision: string | null }, spec: AppSpec): Promise<string | undefined> {
    if (!row.pinnedRevision) return (await ctx.sources.get(spec.source))?.lastRevision ?? undefined;
    if (/^[0-9a-f]{40}$/.test(row.pinnedRevision)) return row.pinnedRevision;
    return (await fetcher.resolveCommit(spec.source, row.pinnedRevision)).sha;
  }

  /** Renders an App's desired revision and hands it to the rollout; `all` re-pushes every cluster it runs on (spec change). */
  async function reconcileApp(name: string, all = false): Promise<void> {
    const row = await ctx.apps.get(name);
    if (!row) return;
    const { spec } = row;
    let sha: string | undefined;
    let prepared: Prepared;
    try {
      sha = await desiredRevision(row, spec);
      if (!sha) return; // the Source has not been fetched yet; its first fetch reconciles this App
      prepared = await prepare(spec, sha);
    } catch (err) {
      // Not the commit's fault (a render cached as broken comes back as an outcome, not a throw):
      // shown, not pinned to the revision, and tried again with backoff.
      const message = (err as Error).message;
      log.warn({ app: name, revision: sha, err: message }, "app not delivered, will retry: clusters keep their last good bundle");
      await db.app.update({ where: { name }, data: { lastError: `${message} (retrying)`, lastErrorRevision: null } });
      retry?.later(name);
      return;
    }
    retry?.done(name);
    if ("error" in prepared) {
      log.warn({ app: name, revision: sha, err: prepared.error }, "app not delivered: clusters keep their last good bundle");
      await ctx.apps.update(name, { lastError: prepared.error, lastErrorRevision: sha ?? null });
      return;
    }
    await ctx.apps.update(name, { revision: sha!, lastError: null, lastErrorRevision: null });
    await rollout.tick(name, all);
  }

  /**
   * Level-triggered: true when the App's desired revision is neither delivered to the rollout nor
   * recorded as broken, whatever the last fetch said (a hub that died between fetch and delivery).
   */
  async function behind(name: string): Promise<boolean> {
    const row = await ctx.apps.get(name);
    if (!row) return false;
    const sha = await desiredRevision(row, row.spec).catch(() => undefined);
    return sha !== undefined && sha !== row.revision && sha !== row.lastErrorRevision;
  }

  /**
   * Labels changed, approved, registered, connected or deleted: the Apps these clusters'
   * assignments may change for. A few reads for any number of clusters (agents reconnecting after
   * a hub restart come by the thousand).
   */
  async function appsFor(clusters: readonly string[]): Promise<string[]> {
    const rows = new Map<string, Awaited<ReturnType<typeof db.cluster.findMany>>[number]>();
    const assignedOf = new Map<string, Awaited<ReturnType<typeof db.assignment.findMany>>>();
    const recordsOf = new Map<string, { app: string; step: string }[]>();
    for (const names of inChunks([...new Set(clusters)])) {
      const where = { clusterName: { in: names } };
      const [found, assigned, records] = await Promise.all([
        db.cluster.findMany({ where: { name: { in: names } } }),
        db.assignment.findMany({ where }),
        db.rolloutCluster.findMany({ where, select: { clusterName: true, app: true, step: true } }),
      ]);
      for (const r of found) rows.set(r.name, r);
      for (const a of assigned) assignedOf.set(a.clusterName, [...(assignedOf.get(a.clusterName) ?? []), a]);
      for (const r of records) recordsOf.set(r.clusterName, [...(recordsOf.get(r.clusterName) ?? []), r]);
    }
    const out = new Set<string>();
    const apps = await ctx.apps.list({ delivered: true });
    for (const cluster of new Set(clusters)) {
      const row = rows.get(cluster);
      const assigned = assignedOf.get(cluster) ?? [];
      if (!row) {
        await db.$transaction([db.appStatus.deleteMany({ where: { clusterName: cluster } }), db.rolloutCluster.deleteMany({ where: { clusterName: cluster } })]);
        for (const a of assigned) out.add(a.app);
        continue;
      }
      const records = recordsOf.get(cluster) ?? [];
      const facts = { name: cluster, labels: effectiveLabels(row) };
      for (const app of apps) {
        const { spec } = app;
        const i = row.approved ? firstMatch(spec.targets, facts) : -1;
        const has = assigned.find((a) => a.app === app.name);
        if (i < 0) {
          if (has) out.add(app.name);
          continue;
        }
        const outcome = await renderer.render(spec, app.revision!, spec.targets[i]!).catch((err: unknown) => ({ error: String(err) }));
        const step = records.find((r) => r.app === app.name)?.step;
        // Not on what targeting wants, or waiting on its reachability: the rollout decides again.
        if (!has || !("digest" in outcome) || has.bundleDigest !== outcome.digest || has.revision !== app.revision || has.target !== spec.targets[i]!.name || step === "Skipped" || step === "Updating") out.add(app.name);
      }
    }
    return [...out];
  }

  /** Recomputes the cluster's Apps at once (an admin change). */
  async function clusterChanged(cluster: string): Promise<void> {
    for (const app of await appsFor([cluster])) await rollout.tick(app);
  }

  async function removeApp(name: string): Promise<void> {
    const rows = await db.assignment.findMany({ where: { app: name }, select: { clusterName: true } });
    await db.$transaction([
      db.assignment.deleteMany({ where: { app: name } }),
      db.appStatus.deleteMany({ where: { app: name } }),
      db.rollout.deleteMany({ where: { app: name } }),
      db.rolloutCluster.deleteMany({ where: { app: name } }),
    ]);
    await push(ctx, rows.map((r) => r.clusterName));
  }

  return { prepare, reconcileApp, behind, appsFor, clusterChanged, removeApp };
}
export type Reconciler = ReturnType<typeof createReconciler>;
