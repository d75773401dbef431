// The real gitfleet-hub binary as a child process (so its RSS and CPU can be read from /proc).
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, fstatSync, openSync, readSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { BIN, waitFor } from "../lib/processes.js";

export interface BenchHub {
  child: ChildProcess;
  dataDir: string;
  grpc: string;
  http: string;
  /** Where the hub's stdout and stderr go, whole: a 10,000-cluster run logs more than a driver should hold. */
  logFile: string;
  /** The end of the log. */
  tail(bytes?: number): string;
  stop(): Promise<void>;
}

export async function startBenchHub(dataDir: string, logFile: string, extra: string[], env: Record<string, string>, execArgv: string[]): Promise<BenchHub> {
  const hubFile = join(dataDir, "hub.json");
  await rm(hubFile, { force: true });
  const args = [...execArgv, BIN.hub, "--data-dir", dataDir, "--listen", "127.0.0.1:0", "--http-listen", "127.0.0.1:0", ...extra];
  const log = openSync(logFile, "a");
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ["ignore", log, log] });
  closeSync(log);
  const tail = (bytes = 3000) => tailOf(logFile, bytes);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  // A hub that exits at start ends the wait at once (a check that throws would be retried).
  const info = await waitFor(`hub to listen`, async () => {
    if (child.exitCode !== null) return { exitCode: child.exitCode };
    return existsSync(hubFile) ? (JSON.parse(await readFile(hubFile, "utf8")) as { grpc: string; http: string }) : undefined;
  }, 30_000);
  if ("exitCode" in info) throw new Error(`hub exited ${info.exitCode} (log: ${logFile}): ${tail()}`);
  return {
    child,
    dataDir,
    grpc: info.grpc,
    http: info.http,
    logFile,
    tail,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The last `bytes` of a file (a line cut at the start aside). */
function tailOf(file: string, bytes: number): string {
  const fd = openSync(file, "r");
  try {
    const size = fstatSync(fd).size;
    const buf = Buffer.alloc(Math.min(bytes, size));
    readSync(fd, buf, 0, buf.length, size - buf.length);
    return buf.toString("utf8");
  } finally {
    closeSync(fd);
  }
}
