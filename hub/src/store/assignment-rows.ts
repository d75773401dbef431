import { join } from "@prisma/client/runtime/client";
import type { Db, Prisma } from "./index.js";
import { insertRows } from "./bulk-rows.js";

// A commit's assignment writes and a push's reads, as plain SQL over a list of names (callers
// split it with inChunks): Prisma's updateMany and findMany with `in: [500 names]` cost three to
// five times the statement itself, in its query compiler and result mapping, and a commit at
// 10,000 clusters runs dozens of them before the last agent is sent anything.

export interface AssignmentRow {
  clusterName: string;
  app: string;
  target: string;
  revision: string;
  bundleDigest: string;
  previousDigest: string;
}

// `IN ()` is not SQL; no cluster or App is named "".
const names = (list: readonly string[]) => join(list.length ? list : [""]);

/** Inserts new Assignment rows; updatedAt as Prisma's @updatedAt would set it. */
export function insertAssignments(db: Db, rows: readonly AssignmentRow[], at: Date): Prisma.PrismaPromise<number>[] {
  const COLUMNS = ["clusterName", "app", "target", "revision", "bundleDigest", "previousDigest", "updatedAt"] as const;
  return insertRows(db, "Assignment", COLUMNS, rows.map((r) => ({ ...r, updatedAt: at })));
}

/** Gives the clusters' assignments of one App the same placement. */
export function updateAssignments(db: Db, app: string, clusters: readonly string[], p: Omit<AssignmentRow, "clusterName" | "app">, at: Date): Prisma.PrismaPromise<number> {
  return db.$executeRaw`UPDATE "Assignment" SET "target" = ${p.target}, "revision" = ${p.revision}, "bundleDigest" = ${p.bundleDigest}, "previousDigest" = ${p.previousDigest}, "updatedAt" = ${at} WHERE "app" = ${app} AND "clusterName" IN (${names(clusters)})`;
}

export function deleteAssignments(db: Db, app: string, clusters: readonly string[]): Prisma.PrismaPromise<number> {
  return db.$executeRaw`DELETE FROM "Assignment" WHERE "app" = ${app} AND "clusterName" IN (${names(clusters)})`;
}

/** The clusters' assignments, by App name within each cluster. */
export function readAssignments(db: Db, clusters: readonly string[]): Prisma.PrismaPromise<AssignmentRow[]> {
  return db.$queryRaw<AssignmentRow[]>`SELECT "clusterName", "app", "target", "revision", "bundleDigest", "previousDigest" FROM "Assignment" WHERE "clusterName" IN (${names(clusters)}) ORDER BY "app"`;
}

/** Moves the clusters' generation (their assignment sets changed). */
export function bumpGenerations(db: Db, clusters: readonly string[], at: Date): Prisma.PrismaPromise<number> {
  return db.$executeRaw`UPDATE "Cluster" SET "generation" = "generation" + 1, "generationAt" = ${at} WHERE "name" IN (${names(clusters)})`;
}

export function readGenerations(db: Db, clusters: readonly string[]): Prisma.PrismaPromise<{ name: string; generation: number }[]> {
  return db.$queryRaw<{ name: string; generation: number }[]>`SELECT "name", "generation" FROM "Cluster" WHERE "name" IN (${names(clusters)})`;
}
