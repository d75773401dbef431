import { useEffect, useState } from "preact/hooks";
import { admin } from "./api.js";
import { errorText, isUnauthenticated } from "./rpc-errors.js";
import { applyUpdate, emptyFleet, type Fleet } from "./fleet-state.js";
import { signOutIfRefused } from "./use-rpc.js";

export type Link = "connecting" | "live" | "reconnecting";

const RETRY_MS = 2000;

/** The fleet, kept current by one server stream: each batch of changes is one message, not a request. */
export function useFleet(): { fleet: Fleet; link: Link; error?: string; updates: number } {
  const [state, setState] = useState<{ fleet: Fleet; link: Link; error?: string; updates: number }>({ fleet: emptyFleet(), link: "connecting", updates: 0 });
  useEffect(() => {
    const abort = new AbortController();
    (async () => {
      while (!abort.signal.aborted) {
        try {
          for await (const u of admin.watchFleet({}, { signal: abort.signal })) {
            setState((s) => ({ fleet: applyUpdate(s.fleet, u), link: "live", updates: s.updates + 1 }));
          }
        } catch (err) {
          if (abort.signal.aborted) return;
          signOutIfRefused(err);
          if (isUnauthenticated(err)) return;
          setState((s) => ({ ...s, link: "reconnecting", error: errorText(err) }));
        }
        await new Promise((r) => setTimeout(r, RETRY_MS));
      }
    })();
    return () => abort.abort();
  }, []);
  return state;
}
