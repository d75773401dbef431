import { lstat, mkdtemp, readdir, readFile, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, resolve, sep } from "node:path";
import { parse } from "yaml";
import type { KubeObject } from "@gitfleet/shared/manifest";
import { HelmNotFoundError, type RenderProblem } from "./errors.js";
import { execRender } from "./exec.js";
import { findOnPath, isExecutable } from "./kustomize.js";
import type { Located } from "./parse-stream.js";

export const HELM_TIMEOUT_MS = 60_000;

/** What `helm template` gets: values files relative to the chart, then the effective inline values. */
export type HelmInput = { releaseName: string; valuesFiles?: readonly string[]; values?: Record<string, unknown> };
/** bin: the hub's --helm flag; else helm on PATH. */
export type HelmOptions = { bin?: string; pathEnv?: string; timeoutMs?: number };

export function findHelm(opts: HelmOptions = {}): string {
  const bin = opts.bin ?? findOnPath("helm", opts.pathEnv);
  if (!bin || !isExecutable(bin)) throw new HelmNotFoundError(opts.bin);
  return bin;
}

/**
 * Every file helm may read must stay in the repository: a symlink in the chart (a template, a
 * .Files.Get target, a vendored subchart) or a values file that leads out of it is refused.
 */
export async function checkChart(realRoot: string, chartDir: string, valuesFiles: readonly string[]): Promise<{ problems: RenderProblem[]; files: string[] }> {
  const problems: RenderProblem[] = [];
  const inside = (p: string) => p === realRoot || p.startsWith(realRoot + sep);
  async function walk(dir: string): Promise<void> {
    for (const name of await readdir(dir)) {
      const path = join(dir, name);
      const info = await lstat(path);
      if (info.isSymbolicLink()) {
        const target = await realpath(path).catch(() => undefined);
        if (!target || !inside(target)) problems.push({ file: relative(realRoot, path), message: "symlink in the chart points outside the repository or nowhere" });
      } else if (info.isDirectory()) await walk(path);
    }
  }
  await walk(chartDir);
  const files: string[] = [];
  for (const f of valuesFiles) {
    const abs = resolve(chartDir, f);
    const shown = inside(abs) ? relative(realRoot, abs) : f;
    const real = await realpath(abs).catch(() => undefined);
    if (!inside(abs) || (real && !inside(real))) problems.push({ file: relative(realRoot, join(chartDir, "Chart.yaml")), message: `valuesFiles: "${f}" leaves the repository` });
    else if (!real) problems.push({ file: shown, message: `values file does not exist (spec.helm.valuesFiles, relative to the chart ${relative(realRoot, chartDir) || "."})` });
    else files.push(real);
  }
  return { problems, files };
}

/** Runs `helm template` offline with config, cache and data dirs of its own, so no hub setting or repository leaks in. */
export async function helmTemplate(chartDir: string, valuesFiles: readonly string[], input: HelmInput, namespace: string | undefined, opts: HelmOptions = {}): Promise<string> {
  const bin = findHelm(opts);
  const home = await mkdtemp(join(tmpdir(), "gitfleet-helm-"));
  try {
    const inline = join(home, "values.json");
    await writeFile(inline, JSON.stringify(input.values ?? {}), { mode: 0o600 });
    const args = ["template", input.releaseName, chartDir, "--include-crds", ...(namespace ? ["--namespace", namespace] : []), ...valuesFiles.flatMap((f) => ["-f", f]), "-f", inline];
    const env = { PATH: process.env.PATH ?? "", HOME: home, HELM_CONFIG_HOME: join(home, "config"), HELM_CACHE_HOME: join(home, "cache"), HELM_DATA_HOME: join(home, "data"), KUBECONFIG: join(home, "kubeconfig") };
    return await execRender(bin, args, { timeoutMs: opts.timeoutMs ?? HELM_TIMEOUT_MS, env });
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

/** The chart's name from Chart.yaml: helm prefixes template paths in its messages and output with it. */
export async function chartName(chartDir: string): Promise<string> {
  const chart = parse(await readFile(join(chartDir, "Chart.yaml"), "utf8")) as { name?: unknown } | null;
  return typeof chart?.name === "string" ? chart.name : "";
}

/** Locates a helm failure at the template file and line it names, as a path in the repository. */
export function helmProblem(stderr: string, rel: string, name: string): RenderProblem {
  const text = stderr.replace(/\n*Use --debug flag to render out invalid YAML\s*$/, "").replace(/^Error: /, "").replace(/\s*\n\s*/g, " ").trim();
  const toRepo = (file: string) => (name && file.startsWith(`${name}/`) ? join(rel, file.slice(name.length + 1)) : file);
  const missing = /missing in charts\/ directory: (.+)$/.exec(text);
  if (missing) return { file: join(rel, "Chart.yaml"), message: `dependencies not vendored in charts/: ${missing[1]} (rendering has no network: run \`helm dependency build\` before committing or packaging the chart)` };
  const yaml = /YAML parse error on (\S+): .*?line (\d+): (.*)$/.exec(text);
  if (yaml) return { file: toRepo(yaml[1]!), line: Number(yaml[2]), message: `helm template ${rel}: ${yaml[3]}` };
  const at = /(\S+?\.(?:ya?ml|tpl|txt|json)):(\d+)/.exec(text);
  if (at) return { file: toRepo(at[1]!), line: Number(at[2]), message: `helm template ${rel}: ${text}` };
  return { file: rel, message: `helm template failed: ${text}` };
}

/** Maps each object to the template that made it (helm writes "# Source: <chart>/templates/x.yaml" before each). */
export function locateTemplates(located: Located[], text: string, rel: string, name: string): void {
  const sources: { line: number; file: string }[] = [];
  text.split("\n").forEach((l, i) => {
    const m = /^# Source: (\S+)/.exec(l);
    if (m) sources.push({ line: i + 1, file: name && m[1]!.startsWith(`${name}/`) ? join(rel, m[1]!.slice(name.length + 1)) : m[1]! });
  });
  for (const l of located) {
    const src = sources.filter((s) => s.line <= l.line).at(-1);
    if (src) {
      l.file = src.file;
      l.line = l.line - src.line;
    }
  }
}

// Hooks that run only on delete, rollback or test: applying them with the release would do harm or nothing.
const DROPPED_HOOKS = new Set(["pre-delete", "post-delete", "pre-rollback", "post-rollback", "test", "test-success", "test-failure"]);

/** Install and upgrade hooks stay as ordinary objects; a hook that only runs on delete, rollback or test is dropped. */
export function isDroppedHook(obj: KubeObject): boolean {
  const hook = obj.metadata.annotations?.["helm.sh/hook"];
  if (typeof hook !== "string") return false;
  return hook.split(",").map((h) => h.trim()).every((h) => DROPPED_HOOKS.has(h));
}
