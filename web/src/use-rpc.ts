import { useEffect, useState } from "preact/hooks";
import { session } from "./api.js";
import { errorText, isUnauthenticated } from "./rpc-errors.js";

export type Loaded<T> = { data?: T; error?: string; loading: boolean };

/** A token the hub no longer takes (rotated, hub moved) sends the user back to the login form. */
export function signOutIfRefused(err: unknown): void {
  if (isUnauthenticated(err)) {
    session.clear();
    dispatchEvent(new Event("gitfleet:signed-out"));
  }
}

/** One admin call, re-run when `deps` change; the result, its error in words, or loading. */
export function useRpc<T>(call: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<Loaded<T>>({ loading: true });
  useEffect(() => {
    const abort = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    call(abort.signal).then(
      (data) => !abort.signal.aborted && setState({ data, loading: false }),
      (err: unknown) => {
        if (abort.signal.aborted) return;
        signOutIfRefused(err);
        setState({ error: errorText(err), loading: false });
      },
    );
    return () => abort.abort();
  }, deps);
  return state;
}
