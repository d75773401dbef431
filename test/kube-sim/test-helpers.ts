// Helpers shared by the kube-sim tests: kubectl runner, deadline-bound polling, temp dirs.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

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
