import type { AppPlanSchema } from "@gitfleet/shared";
import { parseDefinitions, type DefinitionText } from "../definitions/index.js";
import { checkDefinitions } from "../definitions/store-definitions.js";
import type { Ctx, Init } from "../delivery/context.js";
import { effectiveLabels } from "../registry/clusters.js";
import { renderErrors, type Renderer } from "../render/renderer.js";
import { stageOf } from "../rollout/stages.js";
import { resolveStrategy } from "../rollout/strategy.js";
import { firstMatch } from "../targeting/index.js";

export interface PlanDeps {
  forClusters: Renderer["forClusters"];
  resolveCommit(source: string, commit: string): Promise<{ sha: string }>;
}

/**
 * `apply --dry-run`: validates the definitions and says, per App, which clusters it would reach
 * with which target, overlay and rollout stage, and whether it renders. Stores no definition
 * (rendering fills only the content-addressed render cache).
 */
export async function planApply(ctx: Ctx, deps: PlanDeps, texts: readonly DefinitionText[]): Promise<Init<typeof AppPlanSchema>[]> {
  const defs = parseDefinitions(texts);
  await checkDefinitions(ctx, defs);
  const clusters = (await ctx.db.cluster.findMany({ where: { approved: true } })).map((c) => ({ name: c.name, labels: effectiveLabels(c) }));
  const plans: Init<typeof AppPlanSchema>[] = [];
  for (const def of defs) {
    if (def.kind !== "App") continue;
    const spec = def.spec;
    const matched = clusters.map((c) => ({ c, i: firstMatch(spec.targets, c) })).filter((m) => m.i >= 0);
    const stages = stageOf(resolveStrategy(spec.rollout), matched.map((m) => m.c));
    const stageNames = resolveStrategy(spec.rollout).stages.map((s) => s.name);
    const plan = {
      app: def.name,
      clusters: matched.map(({ c, i }) => ({ cluster: c.name, target: spec.targets[i]!.name, overlay: spec.targets[i]!.overlay ?? "", stage: stageNames[stages.get(c.name)!] ?? "" })),
    };
    const source = await ctx.db.source.findUnique({ where: { name: spec.source } });
    const sha = spec.revision ? (await deps.resolveCommit(spec.source, spec.revision).catch(() => undefined))?.sha : (source?.lastRevision ?? undefined);
    if (!sha) {
      plans.push({ ...plan, renders: false, error: spec.revision ? `revision ${spec.revision} is not in source ${spec.source}` : `source ${spec.source} has not been fetched yet: rendering is checked once it is applied` });
      continue;
    }
    const errors = renderErrors(spec, await deps.forClusters(def.name, spec, sha, clusters));
    plans.push({ ...plan, revision: sha, renders: errors.length === 0, error: errors.join("\n") });
  }
  return plans;
}
