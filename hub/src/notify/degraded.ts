import type { Notice } from "./payload.js";

type Row = { app: string; health: string; revision: string; message: string };

/** app.degraded notices for the Apps whose stored status turned Degraded (rows as stored: only Apps the cluster may report on). */
export function degraded(cluster: string, before: readonly Pick<Row, "app" | "health">[], after: readonly Row[]): Notice[] {
  const was = new Map(before.map((b) => [b.app, b.health]));
  return after
    .filter((a) => a.health === "DEGRADED" && was.get(a.app) !== "DEGRADED")
    .map((a) => ({ event: "app.degraded", app: a.app, cluster, toRevision: a.revision, ...(a.message ? { reason: a.message } : {}) }));
}
