import type { Db } from "./index.js";
import { insertStatements } from "./bulk-rows.js";
import { queryRows, type SqlStatement, type SqlValue } from "./direct-sql.js";

// A commit's assignment writes and a push's reads, as plain SQL on the store's driver adapter
// (direct-sql.ts) over a list of names (callers split it with inChunks): Prisma's updateMany and
// findMany with `in: [500 names]` cost three to five times the statement itself, in its query
// compiler and result mapping, and a commit at 10,000 clusters runs dozens of them before the
// last agent is sent anything.

export interface AssignmentRow {
  clusterName: string;
  app: string;
  target: string;
  revision: string;
  bundleDigest: string;
  previousDigest: string;
}

/** `IN (?, ?, …)` and its arguments; `IN ()` is not SQL, and no cluster or App is named "". */
function inList(list: readonly string[]): { sql: string; args: string[] } {
  const names = list.length ? list : [""];
  return { sql: `IN (${names.map(() => "?").join(", ")})`, args: [...names] };
}

/** Inserts new Assignment rows; updatedAt as Prisma's @updatedAt would set it. */
export function insertAssignments(rows: readonly AssignmentRow[], at: Date): SqlStatement[] {
  const COLUMNS = ["clusterName", "app", "target", "revision", "bundleDigest", "previousDigest", "updatedAt"] as const;
  return insertStatements("Assignment", COLUMNS, rows.map((r) => ({ ...r, updatedAt: at })));
}

/** Gives the clusters' assignments of one App the same placement. */
export function updateAssignments(app: string, clusters: readonly string[], p: Omit<AssignmentRow, "clusterName" | "app">, at: Date): SqlStatement {
  const names = inList(clusters);
  return {
    sql: `UPDATE "Assignment" SET "target" = ?, "revision" = ?, "bundleDigest" = ?, "previousDigest" = ?, "updatedAt" = ? WHERE "app" = ? AND "clusterName" ${names.sql}`,
    args: [p.target, p.revision, p.bundleDigest, p.previousDigest, at, app, ...names.args],
  };
}

export function deleteAssignments(app: string, clusters: readonly string[]): SqlStatement {
  const names = inList(clusters);
  return { sql: `DELETE FROM "Assignment" WHERE "app" = ? AND "clusterName" ${names.sql}`, args: [app, ...names.args] };
}

/** Deletes the App's rollout records of these clusters. */
export function deleteRolloutClusters(app: string, clusters: readonly string[]): SqlStatement {
  const names = inList(clusters);
  return { sql: `DELETE FROM "RolloutCluster" WHERE "app" = ? AND "clusterName" ${names.sql}`, args: [app, ...names.args] };
}

/** The clusters' assignments, by App name within each cluster. */
export function readAssignments(db: Db, clusters: readonly string[]): Promise<AssignmentRow[]> {
  const names = inList(clusters);
  return queryRows<AssignmentRow>(db, `SELECT "clusterName", "app", "target", "revision", "bundleDigest", "previousDigest" FROM "Assignment" WHERE "clusterName" ${names.sql} ORDER BY "app"`, names.args);
}

/** Moves the clusters' generation (their assignment sets changed). */
export function bumpGenerations(clusters: readonly string[], at: Date): SqlStatement {
  const names = inList(clusters);
  return { sql: `UPDATE "Cluster" SET "generation" = "generation" + 1, "generationAt" = ? WHERE "name" ${names.sql}`, args: [at, ...names.args] };
}

export async function readGenerations(db: Db, clusters: readonly string[]): Promise<{ name: string; generation: number }[]> {
  const names = inList(clusters);
  // Number(): a driver may give an integer column as a bigint or a string.
  return (await queryRows<{ name: string; generation: SqlValue | bigint }>(db, `SELECT "name", "generation" FROM "Cluster" WHERE "name" ${names.sql}`, names.args)).map((r) => ({ name: r.name, generation: Number(r.generation) }));
}

/** The (cluster, App) pairs of the clusters' assignments and of their status rows: which Apps a batch of status reports may be about. */
export async function assignedAndReported(db: Db, clusters: readonly string[]): Promise<{ assigned: { clusterName: string; app: string }[]; reported: { clusterName: string; app: string }[] }> {
  const names = inList(clusters);
  const [assigned, reported] = await Promise.all([
    queryRows<{ clusterName: string; app: string }>(db, `SELECT "clusterName", "app" FROM "Assignment" WHERE "clusterName" ${names.sql}`, names.args),
    queryRows<{ clusterName: string; app: string }>(db, `SELECT "clusterName", "app" FROM "AppStatus" WHERE "clusterName" ${names.sql}`, names.args),
  ]);
  return { assigned, reported };
}
