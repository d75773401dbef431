import type { Notice } from "./payload.js";
import type { TurnedDegraded } from "../status/ingest.js";

/** app.degraded notices for the stored statuses that turned Degraded (only Apps the cluster may report on). */
export function degraded(turned: readonly TurnedDegraded[]): Notice[] {
  return turned.map((a) => ({ event: "app.degraded", app: a.app, cluster: a.cluster, toRevision: a.revision, ...(a.message ? { reason: a.message } : {}) }));
}
