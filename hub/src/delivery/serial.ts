/**
 * Runs delivery changes one at a time: a webhook, a poll, an apply and a label change all
 * read-modify-write assignments, and interleaving them could push a stale set.
 */
export function createSerial() {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    run<T>(fn: () => Promise<T>): Promise<T> {
      const next = tail.then(fn, fn);
      tail = next.catch(() => undefined);
      return next;
    },
    idle(): Promise<void> {
      return tail.then(() => undefined);
    },
  };
}
export type Serial = ReturnType<typeof createSerial>;
