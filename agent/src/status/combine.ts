import { SyncState, type AppStatus, type HealthState } from "@gitfleet/shared";
import { appStatus } from "../common/app-status.js";
import { refKey } from "../common/object-ref.js";

/** Everything known about one app since its last full reconcile. */
export interface AppFindings {
  /** The last full reconcile's status. */
  reconciled: AppStatus;
  /** The health monitor's latest rating, if it rated since. */
  health?: { health: HealthState; objects: ReadonlyMap<string, string> };
  /** Drift left in place (selfHeal off). */
  drift?: string;
  /** Drift was reported since the reconcile and is gone again. */
  driftResolved?: boolean;
}

/**
 * The status the hub gets: the reconcile's result, with health as last rated and drift on top.
 * Drift makes the app OutOfSync; its end is reported as Synced until the next reconcile says more.
 */
export function combine(f: AppFindings): AppStatus {
  const base = f.reconciled;
  const rated = f.health;
  const objects = rated ? base.objects.map((o) => ({ ...o, health: rated.objects.get(refKey(o.ref)) ?? o.health })) : base.objects;
  let { sync, message } = base;
  if (f.drift) [sync, message] = [SyncState.OUT_OF_SYNC, f.drift];
  else if (f.driftResolved) [sync, message] = [SyncState.SYNCED, "drift resolved"];
  return appStatus(base, { sync, health: rated?.health ?? base.health, objects, message });
}
