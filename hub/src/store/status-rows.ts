import { join, raw, sqltag } from "@prisma/client/runtime/client";
import type { Db } from "./index.js";

export interface AppStatusRow {
  clusterName: string;
  app: string;
  revision: string;
  bundleDigest: string;
  sync: string;
  health: string;
  objects: string;
  message: string;
  observedAt: Date;
}

const COLUMNS = ["clusterName", "app", "revision", "bundleDigest", "sync", "health", "objects", "message", "observedAt"] as const;
// 9 bound values a row: 100 rows stay under SQLite's 999.
const ROWS_PER_STATEMENT = 100;

/**
 * Inserts or replaces many AppStatus rows in one transaction, a hundred rows per statement
 * (Prisma's upsert is one statement per row, and its per-query cost dominated status ingestion).
 * INSERT ... ON CONFLICT DO UPDATE reads the same on SQLite and PostgreSQL; dates go through the
 * driver adapter as Prisma's own writes do.
 */
export async function upsertAppStatuses(db: Db, rows: readonly AppStatusRow[]): Promise<void> {
  if (rows.length === 0) return;
  const cols = raw(COLUMNS.map((c) => `"${c}"`).join(", "));
  const set = raw(COLUMNS.filter((c) => c !== "clusterName" && c !== "app").map((c) => `"${c}" = excluded."${c}"`).join(", "));
  const statements = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    const values = rows.slice(i, i + ROWS_PER_STATEMENT).map((r) => sqltag`(${join(COLUMNS.map((c) => r[c]))})`);
    statements.push(db.$executeRaw`INSERT INTO "AppStatus" (${cols}) VALUES ${join(values)} ON CONFLICT ("clusterName", "app") DO UPDATE SET ${set}`);
  }
  await db.$transaction(statements);
}
