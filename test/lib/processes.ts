import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { existsSync } from "node:fs";
import { dirname, join, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (holds turbo.json), whether this runs from source or from test/dist. */
export const ROOT = findRoot(fileURLToPath(new URL(".", import.meta.url)));

function findRoot(from: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, "turbo.json"))) return dir.endsWith(sep) ? dir : dir + sep;
  }
  throw new Error(`cannot find the repository root above ${from}`);
}
export const BIN = {
  hub: `${ROOT}hub/bin/gitfleet-hub.js`,
  cli: `${ROOT}cli/bin/gitfleet.js`,
  agent: `${ROOT}agent/bin/gitfleet-agent.js`,
};

export interface Proc {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  /**
   * Sends `signal` (SIGTERM by default) to the process group and waits for the exit. Rejects when the
   * process needed SIGKILL after STOP_GRACE_MS or exited non-zero: a binary that hangs or fails on
   * shutdown fails the test that stops it.
   */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** How long a stopped binary may take to exit on SIGTERM, generous for a loaded 2-core machine. */
export const STOP_GRACE_MS = 20_000;

/** Every child spawned here and not yet exited; procs: those of start(), for stopAll(). */
const running = new Set<ChildProcess>();
const procs = new Set<Proc>();

/** Signals the child's whole process group (it was spawned detached, as its group's leader). */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // The group is gone already.
  }
}

// A test runner that exits without its afterAll (a crash, a timeout) must not leave binaries behind.
process.once("exit", () => {
  for (const child of running) killGroup(child, "SIGKILL");
});

/** Spawns a command as the leader of its own process group, killed with the group if this process exits. */
export function spawnInGroup(command: string, args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"], detached: true });
  running.add(child);
  child.once("exit", () => running.delete(child));
  return child;
}

/** Spawns a node script in its own process group; stopAll() stops whatever is still running. */
export function start(script: string, args: string[], env: Record<string, string> = {}): Proc {
  const child = spawnInGroup(process.execPath, [script, ...args], env);
  child.stdin!.end();
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const name = script.split(sep).pop();
  const proc: Proc = {
    child,
    output: () => out,
    exited,
    async stop(signal = "SIGTERM") {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      killGroup(child, signal);
      let killed = false;
      const timer = setTimeout(() => {
        killed = true;
        killGroup(child, "SIGKILL");
      }, STOP_GRACE_MS);
      const code = await exited;
      clearTimeout(timer);
      if (killed) throw new Error(`${name} did not exit within ${STOP_GRACE_MS} ms of ${signal} and was killed; output:\n${out.slice(-4000)}`);
      if (signal !== "SIGKILL" && code !== null && code !== 0) throw new Error(`${name} exited ${code} on ${signal}; output:\n${out.slice(-4000)}`);
      return code;
    },
  };
  procs.add(proc);
  void exited.then(() => procs.delete(proc));
  return proc;
}

/** Stops every process start() made that still runs; rejects listing those that did not stop cleanly. */
export async function stopAll(): Promise<void> {
  const results = await Promise.allSettled([...procs].map((p) => p.stop()));
  const failed = results.flatMap((r) => (r.status === "rejected" ? [(r.reason as Error).message] : []));
  if (failed.length) throw new Error(`processes did not stop cleanly:\n${failed.join("\n")}`);
}

export interface RunOptions {
  env?: Record<string, string>;
  stdin?: string;
  /** The whole process group is killed after this long, and run() rejects. */
  timeoutMs?: number;
  /** Run `script` as a program, not with node (kubectl always is). */
  program?: boolean;
}

/** Runs a node script (or kubectl, or another program) to completion in its own process group, within a deadline. */
export async function run(script: string, args: string[], opts: RunOptions = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const program = opts.program || script === "kubectl";
  const child = spawnInGroup(program ? script : process.execPath, program ? args : [script, ...args], opts.env ?? {});
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdin!.end(opts.stdin ?? "");
  const timeoutMs = opts.timeoutMs ?? 60_000;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child, "SIGKILL");
  }, timeoutMs);
  const [code] = (await once(child, "close")) as [number | null];
  clearTimeout(timer);
  if (timedOut) throw new Error(`${script} ${args.join(" ")} did not finish within ${timeoutMs} ms; stderr:\n${stderr.slice(-4000)}`);
  return { code, stdout, stderr };
}

/** Polls until check() returns a truthy value or the deadline passes; the error says what was awaited. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 60_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
      .listen(0, "127.0.0.1", () => {
        const { port } = srv.address() as { port: number };
        srv.close(() => resolve(port));
      })
      .on("error", reject);
  });
}
