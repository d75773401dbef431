import type { AppSpec } from "../definitions/index.js";
import { firstMatch } from "../targeting/index.js";
import { approvedClusterFacts, effectiveLabels } from "../registry/clusters.js";
import type { RolloutController } from "../rollout/index.js";
import { push } from "./assignments.js";
import { inChunks } from "../store/chunks.js";
import type { Ctx } from "../delivery/context.js";
import type { Fetcher } from "../sources/fetcher.js";
import { renderErrors, type Renderer } from "../render/renderer.js";

export type Prepared = { digests: string[] } | { error: string };


/** From an App's desired revision to per-cluster Assignments, and back when a cluster changes. */
/** Schedules an App again when it failed for a reason that is not its commit's. */
export interface RetryApps {
  later(app: string): void;
  done(app: string): void;
}

export function createReconciler(ctx: Ctx, fetcher: Fetcher, renderer: Renderer, rollout: RolloutController, retry?: RetryApps) {
  const { db, log } = ctx;

  /**
   * Renders every target at sha, and with `substitute` every distinct set of cluster values; one
   * broken target or cluster group fails the whole App (nothing half-applied).
   */
  async function prepare(app: string, spec: AppSpec, sha: string): Promise<Prepared> {
    const r = await renderer.forClusters(app, spec, sha, await approvedClusterFacts(db));
    const errors = renderErrors(spec, r);
    const digests = new Set([...r.targets, ...[...r.clusters.values()].map((p) => p.outcome)].flatMap((o) => (o && "digest" in o ? [o.digest] : [])));
    return errors.length ? { error: errors.join("\n") } : { digests: [...digests] };
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
      prepared = await prepare(name, spec, sha);
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
   * assignments may change for; `recheck` those whose errors may change with it (a cluster's render
   * fails, or the App has an error at its delivered revision that the change may have cured). A few
   * reads and one render pass per App for any number of clusters: agents reconnecting after a hub
   * restart, or registering in a wave, come by the thousand.
   */
  async function appsFor(clusters: readonly string[]): Promise<string[]> {
    return [...(await affected(clusters)).keys()];
  }

  async function affected(clusters: readonly string[]): Promise<Map<string, { recheck: boolean }>> {
    const names = [...new Set(clusters)];
    const rows = new Map<string, Awaited<ReturnType<typeof db.cluster.findMany>>[number]>();
    const assignedOf = new Map<string, Awaited<ReturnType<typeof db.assignment.findMany>>>();
    const stepOf = new Map<string, string>();
    for (const chunk of inChunks(names)) {
      const where = { clusterName: { in: chunk } };
      const [found, assigned, records] = await Promise.all([
        db.cluster.findMany({ where: { name: { in: chunk } } }),
        db.assignment.findMany({ where }),
        db.rolloutCluster.findMany({ where, select: { clusterName: true, app: true, step: true } }),
      ]);
      for (const r of found) rows.set(r.name, r);
      for (const a of assigned) assignedOf.set(a.clusterName, [...(assignedOf.get(a.clusterName) ?? []), a]);
      for (const r of records) stepOf.set(`${r.clusterName}\0${r.app}`, r.step);
    }
    const out = new Map<string, { recheck: boolean }>();
    const mark = (app: string, recheck: boolean) => out.set(app, { recheck: (out.get(app)?.recheck ?? false) || recheck });
    for (const cluster of names.filter((n) => !rows.has(n))) {
      await db.$transaction([db.appStatus.deleteMany({ where: { clusterName: cluster } }), db.rolloutCluster.deleteMany({ where: { clusterName: cluster } })]);
      for (const a of assignedOf.get(cluster) ?? []) mark(a.app, false);
    }
    const present = names.flatMap((n) => {
      const row = rows.get(n);
      return row ? [{ row, facts: { name: n, labels: effectiveLabels(row) } }] : [];
    });
    for (const app of await ctx.apps.list({ delivered: true })) {
      const { spec } = app;
      const broken = app.lastError !== null && app.lastErrorRevision === app.revision;
      const matched = [];
      for (const c of present) {
        const i = c.row.approved ? firstMatch(spec.targets, c.facts) : -1;
        const has = assignedOf.get(c.facts.name)?.find((a) => a.app === app.name);
        if (i < 0) {
          if (has || broken) mark(app.name, broken);
          continue;
        }
        matched.push({ ...c, i, has });
      }
      if (matched.length === 0) continue;
      const renders = await renderer.forClusters(app.name, spec, app.revision!, matched.map((m) => m.facts)).catch((err: unknown) => ({ error: String(err) }));
      for (const { facts, i, has } of matched) {
        const outcome = "error" in renders ? renders : renders.clusters.get(facts.name)!.outcome;
        const step = stepOf.get(`${facts.name}\0${app.name}`);
        // Not on what targeting wants, or waiting on its reachability: the rollout decides again.
        if (!has || !("digest" in outcome) || broken || has.bundleDigest !== outcome.digest || has.revision !== app.revision || has.target !== spec.targets[i]!.name || step === "Skipped" || step === "Updating") mark(app.name, broken || "error" in outcome);
      }
    }
    return out;
  }

  /** Recomputes the cluster's Apps at once (an admin change); an App whose render errors may change is prepared again, so it shows them. */
  async function clusterChanged(cluster: string): Promise<void> {
    for (const [app, { recheck }] of await affected([cluster])) {
      if (recheck) await reconcileApp(app);
      else await rollout.tick(app);
    }
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
