// The hub's two ways of not doing the same work twice at once.

/**
 * Runs functions one at a time per lane (different lanes in parallel), in call order; a failure
 * does not block the lane. Delivery uses one lane (changes that read-modify-write assignments
 * must not interleave); the mirror cache one per repository (one git operation per mirror).
 */
export function createLanes() {
  const tails = new Map<string, Promise<unknown>>();
  return {
    run<T>(lane: string, fn: () => Promise<T>): Promise<T> {
      const next = (tails.get(lane) ?? Promise.resolve()).then(fn, fn);
      const settled = next.catch(() => undefined);
      tails.set(lane, settled);
      void settled.then(() => tails.get(lane) === settled && tails.delete(lane));
      return next;
    },
    /** Resolves when everything queued on the lane so far has settled. */
    idle(lane: string): Promise<void> {
      return (tails.get(lane) ?? Promise.resolve()).then(() => undefined);
    },
  };
}
export type Lanes = ReturnType<typeof createLanes>;

/** Concurrent calls for the same key share one run of start (renders, checkouts, bundle loads). */
export function createSingleFlight<T>() {
  const inflight = new Map<string, Promise<T>>();
  return (key: string, start: () => Promise<T>): Promise<T> => {
    let p = inflight.get(key);
    if (!p) {
      p = start().finally(() => inflight.delete(key));
      inflight.set(key, p);
    }
    return p;
  };
}
