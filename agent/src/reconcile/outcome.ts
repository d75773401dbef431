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

/** The apply ran, but some objects failed because of the cluster's state (a namespace not there yet, an object another App owns): retry with backoff. */
export class ClusterStateError extends Error {
  override name = "ClusterStateError";
}

export type Outcome = "terminal" | "transient" | "wait" | "retry";

export function classify(err: unknown): Outcome {
  if (err instanceof WaitError) return "wait";
  if (err instanceof TransientError) return "transient";
  if (err instanceof ClusterStateError) return "retry";
  if (err instanceof TerminalError) return "terminal";
  return isTransient(err) ? "transient" : "terminal";
}

export function errorMessage(err: unknown): string {
  return apiMessage(err);
}
