import { RpcError } from "@gitfleet/shared";

/**
 * At most `max` calls of a kind in progress; the rest are answered UNAVAILABLE at once with a
 * retry hint, instead of queueing until they time out (10,000 agents dialling a hub that
 * registers a few hundred a second). Agents retry UNAVAILABLE after the hint plus their jittered backoff.
 */
export function createAdmission(what: string, max: number, retryAfterMs: number) {
  let inFlight = 0;
  let shed = 0;
  return {
    /** A release function for the admitted call (idempotent), or the error to answer with. */
    admit(): { release(): void } | { error: RpcError } {
      if (inFlight >= max) {
        shed++;
        return { error: new RpcError("UNAVAILABLE", `hub is busy: ${inFlight} ${what} in progress (at most ${max}); retry in ${retryAfterMs} ms`, retryAfterMs) };
      }
      inFlight++;
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          inFlight--;
        },
      };
    },
    get inFlight(): number {
      return inFlight;
    },
    /** Calls answered UNAVAILABLE so far. */
    get shed(): number {
      return shed;
    },
  };
}

export type Admission = ReturnType<typeof createAdmission>;
