import { apiMessage, isTransient } from "../kube/errors.js";

// The three ways a reconcile stops short, kept apart by type (Flux's habit).

/** Retrying cannot help (bad manifest, 422): stop and report until the next assignment. */
export class TerminalError extends Error {
  override name = "TerminalError";
}

/** May pass on retry (429, 5xx, network, hub unreachable): retry with backoff. */
export class TransientError extends Error {
  override name = "TransientError";
}

/** Nothing is wrong yet, something is not ready (dependencies, CRDs): check again later. */
export class WaitError extends Error {
  override name = "WaitError";
}

export class DependenciesNotReady extends WaitError {
  override name = "DependenciesNotReady";
}

export type Outcome = "terminal" | "transient" | "wait";

export function classify(err: unknown): Outcome {
  if (err instanceof WaitError) return "wait";
  if (err instanceof TransientError) return "transient";
  if (err instanceof TerminalError) return "terminal";
  return isTransient(err) ? "transient" : "terminal";
}

export function errorMessage(err: unknown): string {
  return apiMessage(err);
}
