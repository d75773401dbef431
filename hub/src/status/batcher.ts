import type { AppStatus, Logger, StatusReport } from "@gitfleet/shared";

export interface StatusEntry {
  cluster: string;
  status: AppStatus;
}

export interface StatusBatcherOptions {
  /** Stores one batch (at most one (cluster, app) each); a rejection keeps the batch for the next flush. */
  write(entries: StatusEntry[]): Promise<void>;
  /** How long a status may wait for its batch (the hub's status latency floor). */
  intervalMs: number;
  /** Flush at once when this many (cluster, app) statuses wait. */
  maxPending: number;
  log: Logger;
  /** A status replaced by a newer one of the same cluster and App before it was written. */
  onCoalesced?(): void;
}

export interface StatusBatcher {
  /** Queues the report's statuses; resolves once they (or newer ones for the same App) are stored. */
  add(cluster: string, report: StatusReport): Promise<void>;
  /** Writes everything queued now. */
  flush(): Promise<void>;
  /** Stops the timer and writes what is queued; later reports are written at once. */
  close(): Promise<void>;
  readonly pending: number;
}

interface Waiting {
  entry: StatusEntry;
  waiters: { resolve(): void; reject(err: unknown): void }[];
}

/**
 * Status reports in batches: one write per interval for every agent that reported, and only the
 * latest status of each (cluster, App). 10,000 agents reporting Progressing, then Healthy, within
 * one interval cost one transaction of 10,000 rows instead of 20,000 single-row transactions.
 * One write runs at a time; a failed write is retried with what came in meanwhile (newer wins),
 * so nothing is lost while the hub runs, and close() writes the rest before the store closes.
 */
export function createStatusBatcher(opts: StatusBatcherOptions): StatusBatcher {
  let queued = new Map<string, Waiting>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let closed = false;

  function schedule(): void {
    if (queued.size === 0) return;
    if (closed || queued.size >= opts.maxPending) return void flush();
    timer ??= setTimeout(() => void flush(), opts.intervalMs);
  }

  async function writeBatch(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    const batch = queued;
    queued = new Map();
    if (batch.size === 0) return;
    try {
      await opts.write([...batch.values()].map((w) => w.entry));
    } catch (err) {
      if (closed) {
        for (const w of batch.values()) for (const x of w.waiters) x.reject(err);
        opts.log.error({ err, statuses: batch.size }, "storing agent statuses failed while stopping");
        return;
      }
      opts.log.error({ err, statuses: batch.size }, "storing agent statuses failed; retrying with the next batch");
      // Put the batch back under what came in since: a newer status of the same App wins and takes over the waiters.
      for (const [key, w] of batch) {
        const newer = queued.get(key);
        if (newer) newer.waiters.push(...w.waiters);
        else queued.set(key, w);
      }
      timer ??= setTimeout(() => void flush(), opts.intervalMs);
      return;
    }
    for (const w of batch.values()) for (const x of w.waiters) x.resolve();
  }

  /** Runs writes one after another until nothing is queued (or a write failed and was rescheduled). */
  function flush(): Promise<void> {
    if (running) return running.then(() => (queued.size ? flush() : undefined));
    running = writeBatch().finally(() => {
      running = undefined;
      if (queued.size && (closed || queued.size >= opts.maxPending)) void flush();
      else if (queued.size) timer ??= setTimeout(() => void flush(), opts.intervalMs);
    });
    return running;
  }

  return {
    add(cluster, report) {
      if (report.apps.length === 0) return Promise.resolve();
      const stored = report.apps.map((status) => new Promise<void>((resolve, reject) => {
        const key = `${cluster}\0${status.app}`;
        const waiting = queued.get(key);
        if (waiting) {
          waiting.entry = { cluster, status };
          waiting.waiters.push({ resolve, reject });
          opts.onCoalesced?.();
        } else {
          queued.set(key, { entry: { cluster, status }, waiters: [{ resolve, reject }] });
        }
      }));
      schedule();
      return Promise.all(stored).then(() => undefined);
    },
    flush,
    async close() {
      closed = true;
      clearTimeout(timer);
      timer = undefined;
      await flush();
      if (running) await running;
    },
    get pending() {
      return queued.size;
    },
  };
}
