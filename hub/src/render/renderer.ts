import { formatLabels } from "@gitfleet/shared";
import { bundleDigest, canonicalize, objectKey, parseBundle } from "@gitfleet/shared/manifest";
import type { AppSpec, AppTarget } from "../definitions/index.js";
import { createSingleFlight } from "../lib/concurrency.js";
import { firstMatch, type ClusterFacts } from "../targeting/index.js";
import { formatProblem, RenderError, renderBundle, type RenderProblem } from "./index.js";
import type { Ctx } from "../delivery/context.js";
import { DEFAULT_RENDER_LIMITS, sizeProblems, type RenderLimits } from "./size-limits.js";
import type { HelmInput, HelmOptions } from "./helm.js";
import { canonicalJson, mergeValues } from "./helm-values.js";
import { BUNDLE_TOUCH_EVERY_MS } from "../config/intervals.js";
import { groupByValues, objectName, referencedVars, scanReferences, substituteObjects, substituteValues, type UsedValues } from "./substitute.js";

export type RenderOutcome = { digest: string } | { error: string };
/** Per cluster: the index of the target that selects it, and its bundle or error. */
export type Placed = { target: number; outcome: RenderOutcome };
/** forClusters: each target's own outcome when it does not depend on clusters, and each selected cluster's. */
export type ClusterRenders = { targets: (RenderOutcome | undefined)[]; clusters: Map<string, Placed> };

/** "target eu: …" lines, one per distinct error of each target (its own render's, then its clusters'). */
export function renderErrors(spec: AppSpec, r: ClusterRenders): string[] {
  const perTarget = spec.targets.map((): Set<string> => new Set());
  r.targets.forEach((o, i) => o && "error" in o && perTarget[i]!.add(o.error));
  for (const { target, outcome } of r.clusters.values()) if ("error" in outcome) perTarget[target]!.add(outcome.error);
  return perTarget.flatMap((errors, i) => [...errors].map((e) => `target ${spec.targets[i]!.name}: ${e}`));
}

/**
 * "source@sha:path:overlay", plus namespace and labels when the target sets them, allowEmpty, and the
 * release name and effective Helm values (they change the output): targets with equal values share a render.
 */
export function renderKey(spec: AppSpec, sha: string, t: AppTarget, helm = helmInput(spec, t)): string {
  const key = `${spec.source}@${sha}:${spec.path}:${t.overlay ?? ""}`;
  const targeted = t.namespace || t.labels ? `${key}:${t.namespace ?? ""}:${formatLabels(t.labels ?? {})}` : key;
  const charted = helm ? `${targeted}:helm=${canonicalJson(helm)}` : targeted;
  return spec.allowEmpty ? `${charted}:allow-empty` : charted;
}

/** The render key of one group of clusters: the base render's and the values of the variables its output uses. */
export const substitutedKey = (baseKey: string, values: UsedValues): string => `${baseKey}:subst=${canonicalJson(values)}`;

/** The App's Helm settings with the target's values merged over the App's. */
export function helmInput(spec: AppSpec, t: AppTarget): HelmInput | undefined {
  if (!spec.helm) return undefined;
  const values = mergeValues(spec.helm.values ?? {}, t.helm?.values ?? {});
  return { releaseName: spec.helm.releaseName, ...(spec.helm.valuesFiles ? { valuesFiles: spec.helm.valuesFiles } : {}), ...(Object.keys(values).length ? { values } : {}) };
}

/** The target's variables merged over the App's; undefined when neither sets `substitute` (no substitution at all). */
export function substituteVars(spec: AppSpec, t: AppTarget): Record<string, string> | undefined {
  if (!spec.substitute && !t.substitute) return undefined;
  return { ...spec.substitute, ...t.substitute };
}

/** Runs fn on the checked-out directory of a Source at a revision (the sources/ fetcher provides it). */
export type WithTree = <T>(source: string, sha: string, fn: (dir: string) => Promise<T>) => Promise<T>;

type Refs = ReturnType<typeof scanReferences>;
// Variables used by a base bundle, by digest (immutable); bounded, as Apps come and go.
const MAX_REMEMBERED = 10_000;
// Bases to substitute held in memory (one per target and revision being delivered); one dropped renders again.
const MAX_BASES = 64;

/**
 * Renders each distinct input once: the Render row caches digest or error, the Bundle is stored
 * once. With `substitute`, a target's output (its base render) is rendered once, then once per
 * distinct set of values of the variables it uses: clusters are grouped, never rendered one by one.
 */
export function createRenderer(ctx: Ctx, withTree: WithTree, limits?: RenderLimits, helmOptions?: HelmOptions) {
  const { db } = ctx;
  const used = createBundleUse(db);
  const once = createSingleFlight<RenderOutcome>();
  const substituteOnce = createSingleFlight<{ digest: string } | { problems: RenderProblem[] }>();
  const refsByDigest = new Map<string, Refs>();
  // Bases to substitute, by digest, least recently rendered out first.
  const bases = new Map<string, string>();

  /** substituting: the output may be substituted, so it counts as a render only if it uses no variable. */
  async function renderOnce(key: string, spec: AppSpec, sha: string, t: AppTarget, helm: HelmInput | undefined, substituting: boolean): Promise<RenderOutcome> {
    const cached = await db.render.findUnique({ where: { key } });
    // A cached digest whose Bundle retention removed (the revision had left its keep set) renders
    // again, and so does a base to substitute that this hub no longer holds.
    if (cached && (!cached.digest || bases.has(cached.digest) || (await used.touch(cached.digest)))) {
      ctx.stats.renderCacheHits++;
      return cached.digest ? { digest: cached.digest } : { error: cached.error ?? "render failed" };
    }
    const source = (await ctx.sources.get(spec.source))?.spec;
    const allowRemoteResources = source?.type === "git" ? source.allowRemoteResources : undefined;
    const rendered = ctx.metrics.renderSeconds.startTimer();
    let outcome: RenderOutcome;
    try {
      const b = await withTree(spec.source, sha, (root) => renderBundle({ root, path: spec.path, ...(t.overlay ? { overlay: t.overlay } : {}), ...(t.namespace ? { namespace: t.namespace } : {}), ...(t.labels ? { labels: t.labels } : {}), ...(allowRemoteResources ? { allowRemoteResources } : {}), ...(limits ? { limits } : {}), ...(helm ? { helm } : {}), ...(helmOptions ? { helmOptions } : {}), allowEmpty: spec.allowEmpty ?? false }));
      const refs = scanReferences(b.objects);
      // A base whose values are substituted per cluster group is no cluster's bundle: kept here, not stored.
      if (substituting && refs.pass) keepBase(b.digest, b.manifests);
      else await used.store(b.digest, b.manifests, b.count);
      remember(b.digest, refs);
      if (!substituting || !refs.pass) ctx.stats.renders++;
      outcome = { digest: b.digest };
    } catch (err) {
      // Only a broken input is cached; a missing kustomize or helm binary or a disk error is retried next time.
      if (!(err instanceof RenderError)) throw err;
      ctx.stats.renders++;
      outcome = { error: err.problems.map(formatProblem).join("; ") };
    } finally {
      rendered();
    }
    const row = { digest: "digest" in outcome ? outcome.digest : null, error: "error" in outcome ? outcome.error : null };
    await db.render.upsert({ where: { key }, create: { key, ...row }, update: row });
    return outcome;
  }

  function remember(digest: string, refs: Refs): void {
    if (refsByDigest.size >= MAX_REMEMBERED) refsByDigest.delete(refsByDigest.keys().next().value!);
    refsByDigest.set(digest, refs);
  }

  function keepBase(digest: string, manifests: string): void {
    bases.delete(digest);
    if (bases.size >= MAX_BASES) bases.delete(bases.keys().next().value!);
    bases.set(digest, manifests);
  }

  async function manifestsOf(digest: string): Promise<string> {
    const base = bases.get(digest);
    if (base !== undefined) return base;
    const row = await db.bundle.findUnique({ where: { digest }, select: { manifests: true } });
    if (!row) throw new Error(`bundle ${digest} is no longer stored`);
    return row.manifests;
  }

  /** The variables a base bundle's string values reference. */
  async function refsOf(digest: string): Promise<Refs> {
    const known = refsByDigest.get(digest);
    if (known) return known;
    const refs = scanReferences(parseBundle(await manifestsOf(digest)));
    remember(digest, refs);
    return refs;
  }

  /** One group's bundle: the base with the group's values substituted. A failure names fields and is not cached (it names clusters). */
  async function substituteBase(key: string, base: string, values: UsedValues) {
    const cached = await db.render.findUnique({ where: { key } });
    if (cached?.digest && (await used.touch(cached.digest))) {
      ctx.stats.renderCacheHits++;
      return { digest: cached.digest };
    }
    const objects = parseBundle(await manifestsOf(base));
    const problems = substituteObjects(objects, values);
    const seen = new Set<string>();
    for (const o of objects) {
      if (seen.has(objectKey(o))) problems.push({ message: `${objectName(o)}: defined twice after substitution` });
      seen.add(objectKey(o));
    }
    // Values can make objects bigger: the limits hold for what clusters get.
    problems.push(...sizeProblems(objects.map((object, i) => ({ object, file: "", line: 0, document: i + 1 })), limits ?? DEFAULT_RENDER_LIMITS));
    if (problems.length) return { problems };
    const manifests = canonicalize(objects);
    const digest = bundleDigest(manifests);
    await used.store(digest, manifests, objects.length);
    await db.render.upsert({ where: { key }, create: { key, digest, error: null }, update: { digest, error: null } });
    ctx.stats.renders++;
    return { digest };
  }

  function render(spec: AppSpec, sha: string, t: AppTarget, helm = helmInput(spec, t), substituting = false): Promise<RenderOutcome> {
    const key = renderKey(spec, sha, t, helm);
    return once(key, () => renderOnce(key, spec, sha, t, helm, substituting));
  }

  /** The clusters' outcomes for one target; `base` when the target's render does not depend on cluster values. */
  async function forTarget(app: string, spec: AppSpec, sha: string, t: AppTarget, clusters: readonly ClusterFacts[]): Promise<{ base?: RenderOutcome; clusters: Map<string, RenderOutcome> }> {
    const out = new Map<string, RenderOutcome>();
    const vars = substituteVars(spec, t);
    if (!vars) {
      const base = await render(spec, sha, t);
      for (const c of clusters) out.set(c.name, base);
      return { base, clusters: out };
    }
    // The same problem in several groups (an unset App variable) is one error naming all their clusters.
    const failures = new Map<string, string[]>();
    const failed = (group: readonly ClusterFacts[], problems: RenderProblem[]) => {
      const text = problems.map(formatProblem).join("; ");
      failures.set(text, [...(failures.get(text) ?? []), ...group.map((c) => c.name)]);
    };
    // Helm values may use variables too: the chart is rendered once per distinct values they give.
    const helm = helmInput(spec, t);
    const valueVars = helm?.values ? referencedVars(helm.values) : [];
    const groups = valueVars.length ? [...groupByValues(clusters, valueVars, vars).values()] : [{ values: {}, clusters: [...clusters] }];
    let base: RenderOutcome | undefined;
    await Promise.all(groups.map(async (g) => {
      let input = helm;
      if (valueVars.length) {
        const s = substituteValues(helm!.values!, g.values, "helm.values");
        if (s.problems.length) return failed(g.clusters, s.problems);
        input = { ...helm!, values: s.values };
      }
      const key = renderKey(spec, sha, t, input);
      const outcome = await render(spec, sha, t, input, true);
      if (!valueVars.length) base = outcome;
      const refs = "digest" in outcome ? await refsOf(outcome.digest) : undefined;
      if (!("digest" in outcome) || !refs?.pass) {
        for (const c of g.clusters) out.set(c.name, outcome);
        return;
      }
      await Promise.all([...groupByValues(g.clusters, refs.vars, vars).values()].map(async (sub) => {
        const finalKey = substitutedKey(key, sub.values);
        const r = await substituteOnce(finalKey, () => substituteBase(finalKey, outcome.digest, sub.values));
        if ("problems" in r) failed(sub.clusters, r.problems);
        else for (const c of sub.clusters) out.set(c.name, r);
      }));
    }));
    for (const [text, names] of failures) {
      const error = `${text} (app ${app}, cluster${names.length > 1 ? "s" : ""} ${names.slice(0, 3).join(", ")}${names.length > 3 ? ` and ${names.length - 3} more` : ""})`;
      for (const name of names) out.set(name, { error });
    }
    // A base that needs substituting is no cluster's bundle: the target has none of its own.
    const own = base && "digest" in base && (await refsOf(base.digest)).pass ? undefined : base;
    return { ...(own ? { base: own } : {}), clusters: out };
  }

  return {
    /** Targeting and rendering for a set of clusters: each cluster's target and bundle, clusters grouped by the values they use. */
    async forClusters(app: string, spec: AppSpec, sha: string, clusters: readonly ClusterFacts[]): Promise<ClusterRenders> {
      const byTarget = spec.targets.map((): ClusterFacts[] => []);
      const index = new Map<string, number>();
      for (const c of clusters) {
        const i = firstMatch(spec.targets, c);
        if (i < 0) continue;
        byTarget[i]!.push(c);
        index.set(c.name, i);
      }
      const results = await Promise.all(spec.targets.map((t, i) => forTarget(app, spec, sha, t, byTarget[i]!)));
      const placed = new Map<string, Placed>();
      for (const [name, i] of index) placed.set(name, { target: i, outcome: results[i]!.clusters.get(name)! });
      return { targets: results.map((r) => r.base), clusters: placed };
    },
  };
}
export type Renderer = ReturnType<typeof createRenderer>;

/**
 * Marks Bundles used (Bundle.usedAt) when a render writes or resolves to them, at most every
 * BUNDLE_TOUCH_EVERY_MS per bundle and hub: retention deletes only bundles unused for its whole grace,
 * and checks that in the DELETE itself, so a bundle marked here survives a retention pass that began before.
 */
function createBundleUse(db: Ctx["db"]) {
  const last = new Map<string, number>();
  const touched = (digest: string, at: number) => {
    if (last.size > 10_000) for (const [d, t] of last) if (at - t >= BUNDLE_TOUCH_EVERY_MS) last.delete(d);
    last.set(digest, at);
  };
  return {
    /** Stores a bundle (once: its digest is its content), marked used now. */
    async store(digest: string, manifests: string, objects: number): Promise<void> {
      const usedAt = new Date();
      await db.bundle.upsert({ where: { digest }, create: { digest, manifests, objects, size: Buffer.byteLength(manifests), usedAt }, update: { usedAt } });
      touched(digest, usedAt.getTime());
    },
    /** Marks a stored bundle used; false when it is gone. */
    async touch(digest: string): Promise<boolean> {
      const now = Date.now();
      if (now - (last.get(digest) ?? -Infinity) < BUNDLE_TOUCH_EVERY_MS) return true;
      const { count } = await db.bundle.updateMany({ where: { digest }, data: { usedAt: new Date(now) } });
      if (count > 0) touched(digest, now);
      return count > 0;
    },
  };
}
