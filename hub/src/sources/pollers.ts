/**
 * One timer per polled thing. A trigger while a run is in flight asks for one more run after it
 * (the run may have read the Source before the push that triggered): every trigger meanwhile shares
 * that one, and resolves when it is done.
 */
export function createPollers(run: (name: string) => Promise<void>, onError: (name: string, err: unknown) => void) {
  const timers = new Map<string, { ms: number; timer?: NodeJS.Timeout }>();
  const inFlight = new Map<string, Promise<void>>();
  const followUps = new Map<string, Promise<void>>();
  let stopped = false;

  function start(name: string): Promise<void> {
    const done = run(name).catch((err: unknown) => onError(name, err)).finally(() => inFlight.delete(name));
    inFlight.set(name, done);
    return done;
  }

  function trigger(name: string): Promise<void> {
    if (stopped) return Promise.resolve();
    const current = inFlight.get(name);
    if (!current) return start(name);
    let next = followUps.get(name);
    if (!next) {
      next = current.then(() => {
        followUps.delete(name);
        return stopped ? undefined : (inFlight.get(name) ?? start(name));
      });
      followUps.set(name, next);
    }
    return next;
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
