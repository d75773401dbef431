import { accessSync, constants } from "node:fs";
import { delimiter, join, posix } from "node:path";
import { KustomizeNotFoundError, type RenderProblem } from "./errors.js";
import { execRender } from "./exec.js";

export const KUSTOMIZE_TIMEOUT_MS = 60_000;
export type KustomizeOptions = { timeoutMs?: number; pathEnv?: string; /** Let kustomize reach the network (a Source allows remote resources). */ network?: boolean };

/** The first executable named name in the directories of pathEnv. */
export function findOnPath(name: string, pathEnv = process.env.PATH ?? ""): string | undefined {
  return pathEnv.split(delimiter).filter(Boolean).map((d) => join(d, name)).find(isExecutable);
}

export function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `kustomize build` when on PATH, else kubectl's built-in kustomize. */
export function findKustomize(pathEnv = process.env.PATH ?? ""): { bin: string; args: string[] } {
  const onPath = (name: string) => findOnPath(name, pathEnv);
  const kustomize = onPath("kustomize");
  if (kustomize) return { bin: kustomize, args: ["build"] };
  const kubectl = onPath("kubectl");
  if (kubectl) return { bin: kubectl, args: ["kustomize"] };
  throw new KustomizeNotFoundError();
}

/** Runs kustomize on dir; rejects with kustomize's stderr (trimmed) on failure or timeout. */
export async function kustomizeBuild(dir: string, opts: KustomizeOptions = {}): Promise<string> {
  const { bin, args } = findKustomize(opts.pathEnv);
  return execRender(bin, [...args, "--load-restrictor", "LoadRestrictionsRootOnly", dir], { timeoutMs: opts.timeoutMs ?? KUSTOMIZE_TIMEOUT_MS, network: opts.network ?? false });
}

/**
 * Locates a kustomize failure: a YAML error names only a base name and a line, the file's
 * directory is the last path kustomize recursed into. Anything else stays whole, on the overlay.
 */
export function kustomizeProblem(stderr: string, rel: string): RenderProblem {
  const text = stderr.replace(/^E\d{4} [\d:.]+\s+\d+ \S+\] "command failed" err=/, "").replace(/^"|"$/g, "");
  const yaml = /MalformedYAMLError: yaml: line (\d+): (.*?) in File: (\S+)$/.exec(text);
  if (!yaml) return { file: rel, message: `kustomize build failed: ${text}` };
  const dir = [...text.matchAll(/accumulation of path '([^']+)'/g)].at(-1)?.[1] ?? rel;
  return { file: posix.join(dir, yaml[3]!), line: Number(yaml[1]), message: `kustomize build ${rel}: ${yaml[2]}` };
}
