import { bundleDigest, canonicalize, objectKey, parseBundle, type KubeObject } from "@gitfleet/shared/manifest";
import { existsSync, realpathSync, statSync } from "node:fs";
import { basename, join, relative, resolve, sep } from "node:path";
import { RenderError, type RenderProblem } from "./errors.js";
import { DEFAULT_RENDER_LIMITS, sizeProblems, type RenderLimits } from "./size-limits.js";
import { checkKustomization, KUSTOMIZATION_FILES } from "./kustomize-check.js";
import { kustomizeBuild, kustomizeProblem, type KustomizeOptions } from "./kustomize.js";
import { parseStream, type Located } from "./parse-stream.js";
import { readManifestDir } from "./read-dir.js";
import { applyTarget } from "./target.js";
import { emptyRenderProblem } from "./hints.js";
import { chartName, checkChart, helmProblem, helmTemplate, isDroppedHook, locateTemplates, type HelmInput, type HelmOptions } from "./helm.js";

export type RenderInput = {
  root: string;
  path: string;
  overlay?: string;
  namespace?: string;
  labels?: Record<string, string>;
  kustomize?: KustomizeOptions;
  /** An empty render is an error unless this is set. */
  allowEmpty?: boolean;
  limits?: RenderLimits;
  /** URL prefixes remote kustomize resources may come from (the Source's spec.allowRemoteResources). */
  allowRemoteResources?: readonly string[];
  /** Release name and effective values when path is a Helm chart (a directory with Chart.yaml). */
  helm?: HelmInput;
  helmOptions?: HelmOptions;
};

/** A rendered bundle: manifests is the canonical text and digest its content address. */
export type RenderedBundle = { digest: string; manifests: string; objects: KubeObject[]; count: number };


/** Renders root/path[/overlay] all or nothing: any problem throws a RenderError listing all. */
export async function renderBundle(input: RenderInput): Promise<RenderedBundle> {
  const root = resolve(input.root);
  const dir = resolve(root, input.path, input.overlay ?? ".");
  const rel = relative(root, dir) || ".";
  if (dir !== root && !dir.startsWith(root + sep)) throw new RenderError([{ file: rel, message: "path leaves the repository" }]);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new RenderError([{ file: rel, message: "no such directory" }]);
  const realRoot = realpathSync(root);
  const realDir = realpathSync(dir);
  if (realDir !== realRoot && !realDir.startsWith(realRoot + sep)) throw new RenderError([{ file: rel, message: "the path goes through a symlink that leaves the repository" }]);

  const problems: RenderProblem[] = [];
  let located: Located[];
  const kustomized = KUSTOMIZATION_FILES.some((f) => existsSync(join(dir, f)));
  if (existsSync(join(dir, "Chart.yaml"))) {
    located = await renderChart(root, realRoot, realDir, rel, input, problems);
  } else if (kustomized) {
    const allowRemote = input.allowRemoteResources ?? [];
    const refused = checkKustomization(realRoot, realDir, allowRemote);
    if (refused.length > 0) throw new RenderError(refused);
    let text: string;
    try {
      text = await kustomizeBuild(realDir, { ...input.kustomize, network: allowRemote.length > 0 });
    } catch (err) {
      if (!(err instanceof Error) || err.name === "KustomizeNotFoundError") throw err;
      // Repository-relative paths only: the hub's own directories are nobody's business.
      const text = [realRoot, root].reduce((t, r) => t.replaceAll(r + sep, "").replaceAll(r, "."), err.message);
      throw new RenderError([kustomizeProblem(text, rel)]);
    }
    located = parseStream(text, `kustomize build ${rel}`, problems);
  } else {
    located = await readManifestDir(root, dir, problems);
  }
  applyTarget(located.map((l) => l.object), input);
  problems.push(...duplicates(located), ...sizeProblems(located, input.limits ?? DEFAULT_RENDER_LIMITS));
  if (located.length === 0 && problems.length === 0 && !input.allowEmpty) problems.push(await emptyRenderProblem(root, dir, kustomized));
  if (problems.length > 0) throw new RenderError(problems);

  const manifests = canonicalize(located.map((l) => l.object));
  const objects = parseBundle(manifests);
  return { digest: bundleDigest(manifests), manifests, objects, count: objects.length };
}

async function renderChart(root: string, realRoot: string, realDir: string, rel: string, input: RenderInput, problems: RenderProblem[]): Promise<Located[]> {
  const helm = input.helm ?? { releaseName: basename(realDir) };
  const checked = await checkChart(realRoot, realDir, helm.valuesFiles ?? []);
  if (checked.problems.length > 0) throw new RenderError(checked.problems);
  const name = await chartName(realDir);
  let text: string;
  try {
    text = await helmTemplate(realDir, checked.files, helm, input.namespace, input.helmOptions);
  } catch (err) {
    if (!(err instanceof Error) || err.name === "HelmNotFoundError") throw err;
    const message = [realRoot, root].reduce((t, r) => t.replaceAll(r + sep, "").replaceAll(r, "."), err.message);
    throw new RenderError([helmProblem(message, rel, name)]);
  }
  const located = parseStream(text, `helm template ${rel}`, problems).filter((l) => !isDroppedHook(l.object));
  locateTemplates(located, text, rel, name);
  return located;
}

function duplicates(located: Located[]): RenderProblem[] {
  const seen = new Map<string, Located>();
  const problems: RenderProblem[] = [];
  for (const l of located) {
    const key = objectKey(l.object);
    const first = seen.get(key);
    if (!first) seen.set(key, l);
    else problems.push({ file: l.file, line: l.line, document: l.document, message: `duplicate object ${key}, first defined in ${first.file} line ${first.line}` });
  }
  return problems;
}
