import { execFile, spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join, posix } from "node:path";
import { KustomizeNotFoundError, type RenderProblem } from "./errors.js";

export const KUSTOMIZE_TIMEOUT_MS = 60_000;
// Bounds CPU and memory when many (revision, path, overlay) triples render at once.
const MAX_CONCURRENT = 4;

export type KustomizeOptions = { timeoutMs?: number; pathEnv?: string; /** Let kustomize reach the network (a Source allows remote resources). */ network?: boolean };

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

let canUnshare: boolean | undefined;

/**
 * Without network, kustomize runs in a network namespace of its own (`unshare -rn`: no interface
 * but a down loopback), so nothing it parses can make the hub send a request. Where user namespaces
 * are not available, proxies that lead nowhere and no git transport are the fallback.
 */
function isolate(bin: string, args: string[], network: boolean): [string, string[], NodeJS.ProcessEnv] {
  if (network) return [bin, args, process.env];
  canUnshare ??= spawnSync("unshare", ["-rn", "true"], { stdio: "ignore" }).status === 0;
  if (canUnshare) return ["unshare", ["-rn", bin, ...args], process.env];
  const nowhere = "http://127.0.0.1:9";
  return [bin, args, { ...process.env, HTTP_PROXY: nowhere, HTTPS_PROXY: nowhere, http_proxy: nowhere, https_proxy: nowhere, NO_PROXY: "", no_proxy: "", GIT_ALLOW_PROTOCOL: "none" }];
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
      const [cmd, argv, env] = isolate(bin, [...args, "--load-restrictor", "LoadRestrictionsRootOnly", dir], opts.network ?? false);
      execFile(cmd, argv, { timeout, maxBuffer: 256 * 1024 * 1024, encoding: "utf8", env }, (err, stdout, stderr) => {
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
