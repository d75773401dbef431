// Forked host processes and a request/reply helper over their IPC channel.
import { fork, type ChildProcess } from "node:child_process";
import { openSync } from "node:fs";
import { fileURLToPath } from "node:url";

export interface Host<In, Out extends { type: string }> {
  child: ChildProcess;
  send(msg: In): void;
  /** The next message of this type (queued if it came before the call). */
  next<T extends Out["type"]>(type: T, timeoutMs?: number): Promise<Extract<Out, { type: T }>>;
  /** Listens to the stream types. */
  on(fn: (msg: Out) => void): void;
  exited: Promise<number | null>;
}

/** Messages of `streamTypes` go to on() listeners; others wait in a queue for next(). */
export function forkHost<In, Out extends { type: string }>(script: string, role: "agents" | "sims", logFile: string, env: Record<string, string>, streamTypes: readonly string[]): Host<In, Out> {
  const log = openSync(logFile, "a");
  const child = fork(fileURLToPath(new URL(script, import.meta.url)), [], {
    stdio: ["ignore", log, log, "ipc"],
    execArgv: ["--max-old-space-size=8192", ...profileArgs(role)],
    env: { ...process.env, ...env },
  });
  const waiting = new Map<string, ((m: Out) => void)[]>();
  const queued = new Map<string, Out[]>();
  const listeners: ((m: Out) => void)[] = [];
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  child.on("message", (m: Out) => {
    if (streamTypes.includes(m.type)) {
      for (const l of listeners) l(m);
      return;
    }
    const w = waiting.get(m.type);
    if (w?.length) return w.shift()!(m);
    queued.set(m.type, [...(queued.get(m.type) ?? []), m]);
  });
  return {
    child,
    exited,
    send: (msg) => void child.send(msg as object),
    next(type, timeoutMs = 600_000) {
      return new Promise((resolve, reject) => {
        const early = queued.get(type)?.shift();
        if (early) return resolve(early as never);
        const timer = setTimeout(() => reject(new Error(`${script}: no "${type}" message after ${timeoutMs} ms (log: ${logFile})`)), timeoutMs);
        void exited.then((code) => reject(new Error(`${script} exited ${code} while waiting for "${type}" (log: ${logFile})`)));
        const list = waiting.get(type) ?? [];
        list.push((m) => {
          clearTimeout(timer);
          resolve(m as never);
        });
        waiting.set(type, list);
      });
    },
    on: (fn) => void listeners.push(fn),
  };
}

/**
 * GITFLEET_BENCH_CPU_PROF=DIR: processes write a V8 CPU profile there on exit; which ones:
 * GITFLEET_BENCH_CPU_PROF_ONLY=hub,agents,sims,apply (default all).
 */
export function profileArgs(role: "hub" | "agents" | "sims" | "apply"): string[] {
  const dir = process.env.GITFLEET_BENCH_CPU_PROF;
  const only = process.env.GITFLEET_BENCH_CPU_PROF_ONLY?.split(",");
  return dir && (!only || only.includes(role)) ? ["--cpu-prof", "--cpu-prof-dir", dir] : [];
}
