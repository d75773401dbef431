import type { AppStatus, HealthState } from "@gitfleet/shared";

/**
 * What the agent's parts find out about one App. The reconcile, the health monitor, the drift
 * detector and the cleanup step report here; the status writer alone turns findings into the
 * AppStatus the hub gets.
 */
export type Finding =
  /** A full reconcile ended: its status replaces what health and drift said before. */
  | { kind: "reconciled"; app: string; status: AppStatus }
  /** The health monitor rated the applied objects again: the app's health and each object's (by refKey). */
  | { kind: "health"; app: string; health: HealthState; objects: ReadonlyMap<string, string> }
  /** Drift left in place (selfHeal off), or undefined once it is gone. */
  | { kind: "drift"; app: string; message: string | undefined }
  /** The app is no longer assigned here: nothing more is reported for it. */
  | { kind: "removed"; app: string };

export interface Findings {
  report(finding: Finding): void;
}
