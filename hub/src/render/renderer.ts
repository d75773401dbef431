import { formatLabels } from "@gitfleet/shared";
import type { AppSpec, AppTarget } from "../definitions/index.js";
import { createSingleFlight } from "../lib/concurrency.js";
import { formatProblem, RenderError, renderBundle } from "./index.js";
import type { Ctx } from "../delivery/context.js";
import type { RenderLimits } from "./size-limits.js";
import type { HelmInput, HelmOptions } from "./helm.js";
import { canonicalJson, mergeValues } from "./helm-values.js";
import { BUNDLE_TOUCH_EVERY_MS } from "../config/intervals.js";

export type RenderOutcome = { digest: string } | { error: string };

/**
 * "source@sha:path:overlay", plus namespace and labels when the target sets them, allowEmpty, and the
 * release name and effective Helm values (they change the output): targets with equal values share a render.
 */
export function renderKey(spec: AppSpec, sha: string, t: AppTarget): string {
  const key = `${spec.source}@${sha}:${spec.path}:${t.overlay ?? ""}`;
  const targeted = t.namespace || t.labels ? `${key}:${t.namespace ?? ""}:${formatLabels(t.labels ?? {})}` : key;
  const helm = helmInput(spec, t);
  const charted = helm ? `${targeted}:helm=${canonicalJson(helm)}` : targeted;
  return spec.allowEmpty ? `${charted}:allow-empty` : charted;
}

/** The App's Helm settings with the target's values merged over the App's. */
export function helmInput(spec: AppSpec, t: AppTarget): HelmInput | undefined {
  if (!spec.helm) return undefined;
  const values = mergeValues(spec.helm.values ?? {}, t.helm?.values ?? {});
  return { releaseName: spec.helm.releaseName, ...(spec.helm.valuesFiles ? { valuesFiles: spec.helm.valuesFiles } : {}), ...(Object.keys(values).length ? { values } : {}) };
}

/** Runs fn on the checked-out directory of a Source at a commit (the sources/ fetcher provides it). */
export type WithTree = <T>(source: string, sha: string, fn: (dir: string) => Promise<T>) => Promise<T>;

/** Renders each (revision, path, overlay) once: the Render row caches digest or error, the Bundle is stored once. */
export function createRenderer(ctx: Ctx, withTree: WithTree, limits?: RenderLimits, helmOptions?: HelmOptions) {
  const { db } = ctx;
  const once = createSingleFlight<RenderOutcome>();
  const used = createBundleUse(ctx.db);

  async function renderOnce(key: string, spec: AppSpec, sha: string, t: AppTarget): Promise<RenderOutcome> {
    const cached = await db.render.findUnique({ where: { key } });
    // A cached digest whose Bundle retention removed (the revision had left its keep set) renders again.
    if (cached && (!cached.digest || (await used.touch(cached.digest)))) {
      ctx.stats.renderCacheHits++;
      return cached.digest ? { digest: cached.digest } : { error: cached.error ?? "render failed" };
    }
    const source = (await ctx.sources.get(spec.source))?.spec;
    const allowRemoteResources = source?.type === "git" ? source.allowRemoteResources : undefined;
    ctx.stats.renders++;
    const rendered = ctx.metrics.renderSeconds.startTimer();
    let outcome: RenderOutcome;
    try {
      const b = await withTree(spec.source, sha, (root) => renderBundle({ root, path: spec.path, ...(t.overlay ? { overlay: t.overlay } : {}), ...(t.namespace ? { namespace: t.namespace } : {}), ...(t.labels ? { labels: t.labels } : {}), ...(allowRemoteResources ? { allowRemoteResources } : {}), ...(limits ? { limits } : {}), ...(helmInput(spec, t) ? { helm: helmInput(spec, t) } : {}), ...(helmOptions ? { helmOptions } : {}), allowEmpty: spec.allowEmpty ?? false }));
      const usedAt = new Date();
      await db.bundle.upsert({ where: { digest: b.digest }, create: { digest: b.digest, manifests: b.manifests, objects: b.count, size: Buffer.byteLength(b.manifests), usedAt }, update: { usedAt } });
      used.touched(b.digest, usedAt.getTime());
      outcome = { digest: b.digest };
    } catch (err) {
      // Only a broken input is cached; a missing kustomize or helm binary or a disk error is retried next time.
      if (!(err instanceof RenderError)) throw err;
      outcome = { error: err.problems.map(formatProblem).join("; ") };
    } finally {
      rendered();
    }
    const row = { digest: "digest" in outcome ? outcome.digest : null, error: "error" in outcome ? outcome.error : null };
    await db.render.upsert({ where: { key }, create: { key, ...row }, update: row });
    return outcome;
  }

  return {
    render(spec: AppSpec, sha: string, t: AppTarget): Promise<RenderOutcome> {
      const key = renderKey(spec, sha, t);
      return once(key, () => renderOnce(key, spec, sha, t));
    },
  };
}
export type Renderer = ReturnType<typeof createRenderer>;

/**
 * Marks Bundles used (Bundle.usedAt) when a render resolves to them, at most every BUNDLE_TOUCH_EVERY_MS
 * per bundle and hub: retention deletes only bundles unused for its whole grace, and checks that in
 * the DELETE itself, so a bundle marked here survives a retention pass that began before.
 */
function createBundleUse(db: Ctx["db"]) {
  const last = new Map<string, number>();
  const touched = (digest: string, at: number) => {
    if (last.size > 10_000) for (const [d, t] of last) if (at - t >= BUNDLE_TOUCH_EVERY_MS) last.delete(d);
    last.set(digest, at);
  };
  return {
    touched,
    /** False when the bundle is gone. */
    async touch(digest: string): Promise<boolean> {
      const now = Date.now();
      if (now - (last.get(digest) ?? -Infinity) < BUNDLE_TOUCH_EVERY_MS) return true;
      const { count } = await db.bundle.updateMany({ where: { digest }, data: { usedAt: new Date(now) } });
      if (count > 0) touched(digest, now);
      return count > 0;
    },
  };
}
