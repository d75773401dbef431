export interface BatcherOptions {
  maxItems?: number;
  /**
   * A batch starts at least this long after the previous one started; calls made meanwhile join
   * it. A lone call after a quiet spell waits for nothing. Without it, a wave that arrives over
   * time (agents dialling at a few hundred a second) runs as many batches of a few items, each
   * paying the statements' fixed cost.
   */
  spacingMs?: number;
  now?: () => number;
}

/**
 * Gathers the calls made while a batch runs (or within its spacing) into the next one: in a wave
 * (10,000 agents registering or connecting) one statement serves hundreds of calls. `run` answers
 * each item on its own (one bad item does not fail its neighbours); a throw from `run` fails the
 * whole batch.
 */
export function createBatcher<T, R>(run: (items: T[]) => Promise<PromiseSettledResult<R>[]>, opts: BatcherOptions = {}) {
  const { maxItems = 500, spacingMs = 0, now = Date.now } = opts;
  let queue: { item: T; resolve(value: R): void; reject(err: unknown): void }[] = [];
  let running = false;
  let lastStart = -Infinity;

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const wait = lastStart + spacingMs - now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      lastStart = now();
      const batch = queue.slice(0, maxItems);
      queue = queue.slice(maxItems);
      try {
        const out = await run(batch.map((b) => b.item));
        batch.forEach((b, i) => {
          const r = out[i];
          if (r?.status === "fulfilled") b.resolve(r.value);
          else b.reject(r ? r.reason : new Error("batch returned no result for an item"));
        });
      } catch (err) {
        for (const b of batch) b.reject(err);
      }
    }
    running = false;
  }

  return {
    add(item: T): Promise<R> {
      return new Promise<R>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        if (running) return;
        running = true;
        // Calls that arrive in the same turn of the event loop share the first batch too.
        setImmediate(() => void drain());
      });
    },
    get pending(): number {
      return queue.length;
    },
  };
}

export const fulfilled = <R>(value: R): PromiseFulfilledResult<R> => ({ status: "fulfilled", value });
export const rejected = (reason: unknown): PromiseRejectedResult => ({ status: "rejected", reason });
