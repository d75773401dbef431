import type { Db } from "./index.js";
import { queryRows, type SqlValue } from "./direct-sql.js";

// What a rollout tick reads, every cluster of an App (10,000 rows from each of four tables, once
// per batch of status reports), as plain SQL on the store's driver adapter (direct-sql.ts): through
// Prisma's client the reads' row mapping cost more than the rest of the tick. Rows have the shape
// of Prisma's for the columns read.

/** A date column as the adapters give it (ISO 8601 text with an offset on both; a Date or milliseconds should a driver give those). */
const toDate = (v: SqlValue | bigint): Date | null => (v === null ? null : v instanceof Date ? v : new Date(typeof v === "bigint" ? Number(v) : (v as string | number)));

/** The approved clusters, with what targeting and reachability read (a commit reads them twice, the App list once). */
export async function approvedClusters(db: Db) {
  const rows = await queryRows<{ name: string; tokenLabels: string; agentLabels: string; adminLabels: string; state: string; lastHeartbeat: SqlValue }>(db, `SELECT "name", "tokenLabels", "agentLabels", "adminLabels", "state", "lastHeartbeat" FROM "Cluster" WHERE "approved" = ?`, [true]);
  return rows.map((r) => ({ ...r, lastHeartbeat: toDate(r.lastHeartbeat) }));
}

/** The App's assignments. */
export function appAssignments(db: Db, app: string) {
  return queryRows<{ clusterName: string; app: string; target: string; revision: string; bundleDigest: string; previousDigest: string }>(db, `SELECT "clusterName", "app", "target", "revision", "bundleDigest", "previousDigest" FROM "Assignment" WHERE "app" = ?`, [app]);
}

/** The App's statuses, without their objects. */
export function appStatuses(db: Db, app: string) {
  return queryRows<{ clusterName: string; revision: string; bundleDigest: string; sync: string; health: string; message: string }>(db, `SELECT "clusterName", "revision", "bundleDigest", "sync", "health", "message" FROM "AppStatus" WHERE "app" = ?`, [app]);
}

/** The App's per-cluster rollout records. */
export async function rolloutClusters(db: Db, app: string) {
  type Row = { app: string; clusterName: string; step: string; stage: number; message: string; startedAt: SqlValue; finishedAt: SqlValue; prevTarget: string | null; prevRevision: string | null; prevDigest: string | null };
  const rows = await queryRows<Row>(db, `SELECT "app", "clusterName", "step", "stage", "message", "startedAt", "finishedAt", "prevTarget", "prevRevision", "prevDigest" FROM "RolloutCluster" WHERE "app" = ?`, [app]);
  return rows.map((r) => ({ ...r, stage: Number(r.stage), startedAt: toDate(r.startedAt), finishedAt: toDate(r.finishedAt) }));
}
