import { HealthState, type Assignment } from "@gitfleet/shared";
import type { Outcome } from "../reconcile/outcome.js";
import type { RunMode } from "./worker.js";

export interface RunnerTimings {
  resyncMs: number;
  driftIntervalMs: number;
  healthRecheckMs: number;
  waitRecheckMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

/** The next run of an app and its delay ("backoff": the app's retry backoff); undefined: none until a new assignment. */
export type NextRun = { mode: RunMode; after: number | "backoff" };

export function nextRun(outcome: Outcome | undefined, health: HealthState | undefined, selfHeal: boolean, t: RunnerTimings): NextRun | undefined {
  if (outcome === "terminal") return undefined; // nothing to retry until the next assignment
  if (outcome === "transient" || outcome === "retry") return { mode: "full", after: "backoff" };
  if (outcome === "wait") return { mode: "full", after: t.waitRecheckMs };
  if (health !== undefined && health !== HealthState.HEALTHY) return { mode: "health", after: t.healthRecheckMs };
  // With selfHeal off a resync only re-checks health: re-applying would undo drift left for people to see.
  return { mode: selfHeal ? "full" : "health", after: t.resyncMs };
}

/** The dependencies of a that are not assigned here or not Healthy yet (dependency gating). */
export function unreadyDependencies(a: Assignment, assigned: ReadonlySet<string>, health: (app: string) => HealthState | undefined): string[] {
  return a.dependsOn.filter((d) => !assigned.has(d) || health(d) !== HealthState.HEALTHY);
}

/** The run pruned or released objects: another App may have been refused them. */
export function letGoOfObjects(objects: readonly { action: string }[]): boolean {
  return objects.some((o) => o.action === "pruned" || o.action === "released");
}

/** Every object was applied or failed on its own: what was applied is what drift compares against. */
export function appliedInFull(outcome: Outcome | undefined): boolean {
  return !outcome || outcome === "terminal" || outcome === "retry";
}
