// Helpers shared by the kube-sim tests: kubectl runner and a kube-sim bound to it, deadline-bound polling, temp dirs.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startKubeSim, type KubeSim, type KubeSimOptions, type SimResponse } from "./index.js";

export interface KubectlResult { code: number; stdout: string; stderr: string }

export async function tempDir(prefix = "kube-sim-"): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** runs the real kubectl with its own kubeconfig and discovery cache dir */
export function kubectlRunner(kubeconfig: string, cacheDir: string) {
  return (args: string[], stdin?: string): Promise<KubectlResult> =>
    new Promise((resolve) => {
      const child = execFile("kubectl", ["--kubeconfig", kubeconfig, "--cache-dir", cacheDir, ...args],
        { timeout: 30_000, env: { ...process.env, KUBECONFIG: kubeconfig, KUBECTL_KUBERC: "false" } },
        (err, stdout, stderr) => {
          const code = err ? (typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : 1) : 0;
          resolve({ code, stdout: String(stdout), stderr: String(stderr) });
        });
      if (stdin !== undefined) child.stdin?.end(stdin);
    });
}

export async function writeManifest(dir: string, name: string, text: string): Promise<string> {
  const f = join(dir, name);
  await writeFile(f, text);
  return f;
}

/** polls fn until it returns a truthy value or the deadline passes */
export async function eventually<T>(fn: () => T | Promise<T>, timeoutMs = 5000, what = "condition"): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (e) { last = e; }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface KubectlSim {
  sim: KubeSim;
  dir: string;
  k: (args: string[], stdin?: string) => Promise<KubectlResult>;
  /** runs kubectl and returns stdout, throwing with stderr when it fails */
  ok: (args: string[], stdin?: string) => Promise<string>;
  close: () => Promise<void>;
}

/** a fresh kube-sim and a kubectl bound to it (own kubeconfig and discovery cache) */
export async function kubectlSim(opts: KubeSimOptions = {}): Promise<KubectlSim> {
  const { dir, cleanup } = await tempDir();
  const sim = await startKubeSim({ readyDelayMs: 50, ...opts });
  await sim.writeKubeconfig(join(dir, "kubeconfig"));
  const k = kubectlRunner(join(dir, "kubeconfig"), join(dir, "cache"));
  const ok = async (args: string[], stdin?: string) => {
    const r = await k(args, stdin);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} failed (${r.code}): ${r.stderr}`);
    return r.stdout;
  };
  return { sim, dir, k, ok, close: async () => { await sim.close(); await cleanup(); } };
}

/** one request to the sim with the admin token in the Authorization header */
export function simRequest(sim: KubeSim, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<SimResponse> {
  return sim.request(method, path, { body, headers });
}
