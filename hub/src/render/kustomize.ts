import { execFile } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join, posix } from "node:path";
import { KustomizeNotFoundError, type RenderProblem } from "./errors.js";

export const KUSTOMIZE_TIMEOUT_MS = 60_000;
// Bounds CPU and memory when many (revision, path, overlay) triples render at once.
const MAX_CONCURRENT = 4;

export type KustomizeOptions = { timeoutMs?: number; pathEnv?: string };

/** `kustomize build` when on PATH, else kubectl's built-in kustomize. */
export function findKustomize(pathEnv = process.env.PATH ?? ""): { bin: string; args: string[] } {
  const onPath = (name: string) =>
    pathEnv.split(delimiter).filter(Boolean).map((d) => join(d, name)).find((p) => {
      try {
        accessSync(p, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
  const kustomize = onPath("kustomize");
  if (kustomize) return { bin: kustomize, args: ["build"] };
  const kubectl = onPath("kubectl");
  if (kubectl) return { bin: kubectl, args: ["kustomize"] };
  throw new KustomizeNotFoundError();
}

let running = 0;
const waiting: (() => void)[] = [];

/** Runs kustomize on dir; rejects with kustomize's stderr (trimmed) on failure or timeout. */
export async function kustomizeBuild(dir: string, opts: KustomizeOptions = {}): Promise<string> {
  const { bin, args } = findKustomize(opts.pathEnv);
  const timeout = opts.timeoutMs ?? KUSTOMIZE_TIMEOUT_MS;
  if (running < MAX_CONCURRENT) running++;
  else await new Promise<void>((r) => waiting.push(r)); // the releaser hands its slot over
  try {
    return await new Promise((resolve, reject) => {
      execFile(bin, [...args, dir], { timeout, maxBuffer: 256 * 1024 * 1024, encoding: "utf8" }, (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        const killed = (err as { killed?: boolean }).killed;
        reject(new Error(killed ? `timed out after ${timeout / 1000}s` : stderr.trim() || err.message));
      });
    });
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
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
