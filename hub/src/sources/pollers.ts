/** One timer per polled thing; a run that is still queued absorbs further triggers. */
export function createPollers(run: (name: string) => Promise<void>, onError: (name: string, err: unknown) => void) {
  const timers = new Map<string, { ms: number; timer?: NodeJS.Timeout }>();
  const queued = new Set<string>();
  let stopped = false;

  function trigger(name: string): Promise<void> {
    if (stopped || queued.has(name)) return Promise.resolve();
    queued.add(name);
    return run(name).catch((err: unknown) => onError(name, err)).finally(() => queued.delete(name));
  }

  function arm(name: string): void {
    const entry = timers.get(name);
    if (!entry || stopped) return;
    entry.timer = setTimeout(() => void trigger(name).finally(() => timers.get(name) === entry && arm(name)), entry.ms);
  }

  return {
    trigger,
    /** (Re)starts polling name every ms. */
    schedule(name: string, ms: number): void {
      clearTimeout(timers.get(name)?.timer);
      timers.set(name, { ms });
      arm(name);
    },
    remove(name: string): void {
      clearTimeout(timers.get(name)?.timer);
      timers.delete(name);
    },
    /** Stops polling (this hub no longer leads) but keeps accepting triggers and schedules. */
    clear(): void {
      for (const t of timers.values()) clearTimeout(t.timer);
      timers.clear();
    },
    stop(): void {
      stopped = true;
      for (const t of timers.values()) clearTimeout(t.timer);
      timers.clear();
    },
  };
}
