// The one way the hub runs work that must happen once per database (README "Several hubs"):
// a singleton task is started when this hub gains the lease and stopped when it loses it, so no
// loop checks leadership itself. repeat() is the timer underneath, also for per-hub loops.
import type { Logger } from "@gitfleet/shared";
import type { Leadership } from "./index.js";

/** A loop that can be started and stopped again; its runs never overlap. */
export interface Repeating {
  start(): void;
  stop(): void;
  /** Resolves when the run in progress (if any) has finished. */
  idle(): Promise<void>;
}

/**
 * Runs task intervalMs after start and then intervalMs after each run ends, until stopped. A run in
 * progress when stopped finishes (writes are fenced where it matters); a restart waits for it.
 */
export function repeat(log: Logger, name: string, intervalMs: number, task: () => Promise<unknown>): Repeating {
  let active = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const arm = () => {
    if (active && !running && !timer) timer = setTimeout(fire, intervalMs);
  };
  function fire(): void {
    timer = undefined;
    running = task()
      .then(() => undefined, (err: unknown) => log.error({ task: name, err }, "task failed"))
      .finally(() => {
        running = undefined;
        arm();
      });
  }
  return {
    start() {
      active = true;
      arm();
    },
    stop() {
      active = false;
      clearTimeout(timer);
      timer = undefined;
    },
    idle: () => running ?? Promise.resolve(),
  };
}

/** What a singleton task does when this hub gains the lease (start) and loses it or closes (stop). */
export interface LeaderHooks {
  start(): void;
  stop(): void;
  idle?(): Promise<void>;
}

export interface SingletonTasks {
  /** Runs task every intervalMs (after each run ends) while this hub leads. */
  every(name: string, intervalMs: number, task: () => Promise<unknown>): void;
  /** Starts hooks now if this hub leads and on every gain of the lease; stops them on every loss. */
  whileLeader(name: string, hooks: LeaderHooks): void;
  /** Stops every task and waits for runs in progress; later leadership changes are ignored. */
  close(): Promise<void>;
}

export function createSingletonTasks(leadership: Pick<Leadership, "isLeader" | "onChange">, log: Logger): SingletonTasks {
  const tasks = new Map<string, LeaderHooks>();
  let closed = false;
  let leading = leadership.isLeader();
  leadership.onChange((leader) => {
    if (closed || leader === leading) return;
    leading = leader;
    log.info({ tasks: [...tasks.keys()], leader }, leader ? "singleton tasks started" : "singleton tasks stopped");
    for (const hooks of tasks.values()) if (leader) hooks.start();
    else hooks.stop();
  });
  function whileLeader(name: string, hooks: LeaderHooks): void {
    if (closed) throw new Error(`singleton task "${name}" added after close`);
    if (tasks.has(name)) throw new Error(`singleton task "${name}" added twice`);
    tasks.set(name, hooks);
    if (leading) hooks.start();
  }
  return {
    whileLeader,
    every: (name, intervalMs, task) => whileLeader(name, repeat(log, name, intervalMs, task)),
    async close() {
      closed = true;
      for (const hooks of tasks.values()) hooks.stop();
      await Promise.all([...tasks.values()].map((h) => h.idle?.()));
    },
  };
}
