import { execFile, spawnSync } from "node:child_process";

// Bounds CPU and memory when many renders (kustomize or helm) run at once.
const MAX_CONCURRENT = 4;

export type ExecOptions = { timeoutMs: number; /** Let the tool reach the network (a Source allows remote resources). */ network?: boolean; env?: NodeJS.ProcessEnv };

let canUnshare: boolean | undefined;

/**
 * Without network, a render tool runs in a network namespace of its own (`unshare -rn`: no interface
 * but a down loopback), so nothing it parses can make the hub send a request. Where user namespaces
 * are not available, proxies that lead nowhere and no git transport are the fallback.
 */
function isolate(bin: string, args: string[], network: boolean, env: NodeJS.ProcessEnv): [string, string[], NodeJS.ProcessEnv] {
  if (network) return [bin, args, env];
  canUnshare ??= spawnSync("unshare", ["-rn", "true"], { stdio: "ignore" }).status === 0;
  if (canUnshare) return ["unshare", ["-rn", bin, ...args], env];
  const nowhere = "http://127.0.0.1:9";
  return [bin, args, { ...env, HTTP_PROXY: nowhere, HTTPS_PROXY: nowhere, http_proxy: nowhere, https_proxy: nowhere, NO_PROXY: "", no_proxy: "", GIT_ALLOW_PROTOCOL: "none" }];
}

let running = 0;
const waiting: (() => void)[] = [];

/** Runs a render tool, isolated and bounded; rejects with its stderr (trimmed) on failure or timeout. */
export async function execRender(bin: string, args: string[], opts: ExecOptions): Promise<string> {
  if (running < MAX_CONCURRENT) running++;
  else await new Promise<void>((r) => waiting.push(r)); // the releaser hands its slot over
  try {
    return await new Promise((resolve, reject) => {
      const [cmd, argv, env] = isolate(bin, args, opts.network ?? false, opts.env ?? process.env);
      execFile(cmd, argv, { timeout: opts.timeoutMs, maxBuffer: 256 * 1024 * 1024, encoding: "utf8", env }, (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        const killed = (err as { killed?: boolean }).killed;
        reject(new Error(killed ? `timed out after ${opts.timeoutMs / 1000}s` : stderr.trim() || err.message));
      });
    });
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}
