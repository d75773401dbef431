import type { Assignment } from "@gitfleet/shared";
import { createBackoff } from "@gitfleet/shared";
import type { ApplyMemory } from "../reconcile/apply.js";
import type { Outcome } from "../reconcile/outcome.js";

export type RunMode = "full" | "health";

/**
 * One app's serial lane: runs never overlap, and kicks that arrive while a run is waiting
 * coalesce into it (a full run absorbs a health check). Status, health and drift are kept by
 * their own parts; the worker holds only what scheduling needs.
 */
export interface Worker {
  app: string;
  assignment?: Assignment;
  /** How the last full run stopped short, if it did. */
  outcome?: Outcome;
  backoff: ReturnType<typeof createBackoff>;
  timer?: NodeJS.Timeout;
  queued?: RunMode;
  chain: Promise<void>;
  memory: ApplyMemory;
}

export function createWorker(app: string, after: Promise<void>, retryBaseMs: number, retryMaxMs: number): Worker {
  return { app, backoff: createBackoff(retryBaseMs, retryMaxMs), chain: after, memory: new Map() };
}

export function enqueue(w: Worker, mode: RunMode, run: (mode: RunMode) => Promise<void>): void {
  clearTimeout(w.timer);
  if (w.queued) {
    if (mode === "full") w.queued = "full";
    return;
  }
  w.queued = mode;
  w.chain = w.chain.then(() => {
    const m = w.queued ?? mode;
    w.queued = undefined;
    return run(m);
  });
}

/** Runs fn after whatever is in the lane (removal, drift checks): never concurrently with a reconcile. */
export function after(w: Worker, fn: () => Promise<void>): Promise<void> {
  w.chain = w.chain.then(fn);
  return w.chain;
}
