import { existsSync, lstatSync, readFileSync, realpathSync, statSync } from "node:fs";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { parse } from "yaml";
import type { RenderProblem } from "./errors.js";

export const KUSTOMIZATION_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

// Fields whose entries kustomize loads from disk or, when they look like URLs, from the network.
const DIR_FIELDS = ["resources", "bases", "components", "generators", "transformers", "validators"];
const FILE_FIELDS = ["patchesStrategicMerge", "crds", "configurations"];
const PATH_OBJECT_FIELDS = ["patches", "patchesJson6902", "replacements"];
const GENERATOR_FIELDS = ["configMapGenerator", "secretGenerator"];
const REMOTE_RE = /^(?:[a-z][a-z0-9+.-]*:\/\/|git@|git::|(?:github\.com|gitlab\.com|bitbucket\.org)\/)/i;

/**
 * Walks the kustomization graph under dir before kustomize runs: every path it would load must
 * resolve (symlinks included) inside root, and remote resources are refused unless a prefix of
 * `allowRemote` admits them. Kustomize's load restrictor covers only files; bases may sit anywhere.
 */
export function checkKustomization(root: string, dir: string, allowRemote: readonly string[] = []): RenderProblem[] {
  const realRoot = realpathSync(root);
  const inside = (p: string) => p === realRoot || p.startsWith(realRoot + sep);
  const problems: RenderProblem[] = [];
  const visited = new Set<string>();

  function visit(kdir: string): void {
    const name = KUSTOMIZATION_FILES.find((f) => existsSync(join(kdir, f)));
    if (!name) return;
    const file = realpathSync(join(kdir, name));
    const rel = relative(realRoot, file);
    if (!inside(file)) return void problems.push({ file: relative(realRoot, join(kdir, name)), message: "the kustomization is a symlink that leaves the repository" });
    if (visited.has(file)) return;
    visited.add(file);
    let k: Record<string, unknown>;
    try {
      k = (parse(readFileSync(file, "utf8")) ?? {}) as Record<string, unknown>;
    } catch {
      return; // kustomize reports the syntax error with a line
    }
    const entry = (field: string, value: unknown, recurse: boolean) => {
      if (typeof value !== "string" || value.includes("\n")) return; // inline patch or plugin config
      const problem = checkEntry(kdir, value);
      if (problem) return void problems.push({ file: rel, message: `${field}: ${problem}` });
      const target = resolve(kdir, value);
      if (recurse && !REMOTE_RE.test(value) && statSync(target).isDirectory()) visit(target);
    };
    for (const f of DIR_FIELDS) for (const v of list(k[f])) entry(f, v, true);
    for (const f of FILE_FIELDS) for (const v of list(k[f])) entry(f, v, false);
    for (const f of PATH_OBJECT_FIELDS) for (const v of list(k[f])) entry(f, (v as { path?: unknown } | null)?.path, false);
    for (const f of GENERATOR_FIELDS) {
      for (const g of list(k[f]) as { files?: unknown; envs?: unknown; env?: unknown }[]) {
        for (const v of list(g?.files)) entry(`${f}.files`, typeof v === "string" ? v.slice(v.indexOf("=") + 1) : v, false);
        for (const v of [...list(g?.envs), g?.env]) entry(`${f}.envs`, v, false);
      }
    }
    const openapi = (k.openapi as { path?: unknown } | undefined)?.path;
    entry("openapi.path", openapi, false);
  }

  visit(dir);
  return problems;

  function list(v: unknown): unknown[] {
    return Array.isArray(v) ? v : [];
  }

  function checkEntry(kdir: string, value: string): string | undefined {
    if (REMOTE_RE.test(value)) {
      if (allowRemote.some((prefix) => value.startsWith(prefix))) return undefined;
      return `remote resource "${value}" is refused: list its URL prefix in the Source's spec.allowRemoteResources to allow it`;
    }
    if (isAbsolute(value)) return `"${value.split(sep).at(-1)}" is an absolute path: only paths inside the repository are allowed`;
    const target = resolve(kdir, value);
    const shown = inside(target) ? relative(realRoot, target) : value;
    let real: string;
    try {
      real = realpathSync(target);
    } catch {
      const dangling = (() => {
        try {
          return lstatSync(target).isSymbolicLink();
        } catch {
          return false;
        }
      })();
      return dangling
        ? `"${shown}" is a symlink that points nowhere`
        : `"${shown}" does not exist in the repository (a remote resource needs its URL prefix in the Source's spec.allowRemoteResources)`;
    }
    return inside(real) ? undefined : `"${shown}" leaves the repository`;
  }
}
