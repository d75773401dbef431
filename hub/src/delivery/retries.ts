import { RETRY_BASE_MS, RETRY_MAX_MS } from "../config/intervals.js";

/**
 * Retries with exponential backoff for failures that are not the commit's (Git unreachable,
 * kustomize missing, a database error): one timer per key, reset by done(key). A broken commit
 * is not retried here; it waits for the next one.
 */
export function createRetries(baseMs = RETRY_BASE_MS, maxMs = RETRY_MAX_MS) {
  const pending = new Map<string, { attempts: number; timer?: NodeJS.Timeout }>();
  let stopped = false;
  return {
    later(key: string, run: () => Promise<unknown>): void {
      const entry = pending.get(key) ?? { attempts: 0 };
      pending.set(key, entry);
      if (entry.timer || stopped) return;
      const delay = Math.min(maxMs, baseMs * 2 ** entry.attempts++);
      entry.timer = setTimeout(() => {
        entry.timer = undefined;
        void run().catch(() => undefined); // run records its own failure and calls later() again
      }, delay);
    },
    done(key: string): void {
      clearTimeout(pending.get(key)?.timer);
      pending.delete(key);
    },
    stop(): void {
      stopped = true;
      for (const e of pending.values()) clearTimeout(e.timer);
      pending.clear();
    },
  };
}
export type Retries = ReturnType<typeof createRetries>;
