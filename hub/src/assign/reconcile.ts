import type { AppSpec } from "../definitions/index.js";
import { firstMatch } from "../targeting/index.js";
import { effectiveLabels } from "../registry/clusters.js";
import type { RolloutController } from "../rollout/index.js";
import { push } from "./assignments.js";
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
    if (!row.pinnedRevision) return (await db.source.findUnique({ where: { name: spec.source } }))?.lastRevision ?? undefined;
    if (/^[0-9a-f]{40}$/.test(row.pinnedRevision)) return row.pinnedRevision;
    return (await fetcher.resolveCommit(spec.source, row.pinnedRevision)).sha;
  }

  /** Renders an App's desired revision and hands it to the rollout; `all` re-pushes every cluster it runs on (spec change). */
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
      await db.app.update({ where: { name }, data: { lastError: prepared.error, lastErrorRevision: sha ?? null } });
      return;
    }
    await db.app.update({ where: { name }, data: { revision: sha!, lastError: null, lastErrorRevision: null } });
    await rollout.tick(name, all);
  }

  /**
   * Level-triggered: true when the App's desired revision is neither delivered to the rollout nor
   * recorded as broken, whatever the last fetch said (a hub that died between fetch and delivery).
   */
  async function behind(name: string): Promise<boolean> {
    const row = await db.app.findUnique({ where: { name } });
    if (!row) return false;
    const sha = await desiredRevision(row, JSON.parse(row.spec) as AppSpec).catch(() => undefined);
    return sha !== undefined && sha !== row.revision && sha !== row.lastErrorRevision;
  }

  /** Labels changed, approved, registered, connected or deleted: the Apps this cluster's assignments may change for. */
  async function appsFor(cluster: string): Promise<string[]> {
    const row = await db.cluster.findUnique({ where: { name: cluster } });
    const [assigned, records] = await Promise.all([
      db.assignment.findMany({ where: { clusterName: cluster } }),
      db.rolloutCluster.findMany({ where: { clusterName: cluster }, select: { app: true, step: true } }),
    ]);
    if (!row) {
      await db.$transaction([db.appStatus.deleteMany({ where: { clusterName: cluster } }), db.rolloutCluster.deleteMany({ where: { clusterName: cluster } })]);
      return assigned.map((a) => a.app);
    }
    const out = new Set<string>();
    const facts = { name: cluster, labels: effectiveLabels(row) };
    for (const app of await db.app.findMany({ where: { revision: { not: null } } })) {
      const spec = JSON.parse(app.spec) as AppSpec;
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
    return [...out];
  }

  /** Recomputes the cluster's Apps at once (an admin change). */
  async function clusterChanged(cluster: string): Promise<void> {
    for (const app of await appsFor(cluster)) await rollout.tick(app);
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
