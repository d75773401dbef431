import { HealthState } from "@gitfleet/shared";
import type { ObjectStatus } from "./object-health.js";

/** Missing beats Degraded beats Progressing: the worst object decides. */
export function appHealth(statuses: readonly ObjectStatus[]): HealthState {
  if (statuses.includes("NotFound")) return HealthState.MISSING;
  if (statuses.includes("Failed")) return HealthState.DEGRADED;
  if (statuses.includes("InProgress")) return HealthState.PROGRESSING;
  return HealthState.HEALTHY;
}

