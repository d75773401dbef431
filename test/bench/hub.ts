// The real gitfleet-hub binary as a child process (so its RSS and CPU can be read from /proc).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { BIN, waitFor } from "../lib/processes.js";

export interface BenchHub {
  child: ChildProcess;
  dataDir: string;
  grpc: string;
  http: string;
  output(): string;
  stop(): Promise<void>;
}

export async function startBenchHub(dataDir: string, extra: string[], env: Record<string, string>, execArgv: string[]): Promise<BenchHub> {
  const hubFile = join(dataDir, "hub.json");
  await rm(hubFile, { force: true });
  const args = [...execArgv, BIN.hub, "--data-dir", dataDir, "--listen", "127.0.0.1:0", "--http-listen", "127.0.0.1:0", ...extra];
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const chunks: string[] = [];
  child.stdout!.on("data", (d: Buffer) => chunks.push(d.toString()));
  child.stderr!.on("data", (d: Buffer) => chunks.push(d.toString()));
  const output = () => chunks.join("");
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const info = await waitFor(`hub to listen`, async () => {
    if (child.exitCode !== null) throw new Error(`hub exited ${child.exitCode}: ${output()}`);
    return existsSync(hubFile) ? (JSON.parse(await readFile(hubFile, "utf8")) as { grpc: string; http: string }) : undefined;
  }, 30_000);
  return {
    child,
    dataDir,
    grpc: info.grpc,
    http: info.http,
    output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
