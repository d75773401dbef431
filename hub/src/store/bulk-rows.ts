import { join, raw, sqltag } from "@prisma/client/runtime/client";
import type { Db, Prisma } from "./index.js";
import { inChunks } from "./chunks.js";

// Bound values per statement: under SQLite's historic limit of 999 (any build), and PostgreSQL's 65,535.
const MAX_VALUES = 999;

type Value = string | number | boolean | Date | null;

/**
 * Multi-row `INSERT`s for one table, as statements for the caller's transaction: Prisma's createMany
 * and upsert compile their whole argument in its query compiler (a commit's thousands of rows cost
 * more there than in the database), and upsert is one statement per row. With `conflict` (the
 * table's key columns), an existing row gets the other columns' new values. Reads the same on
 * SQLite and PostgreSQL; dates go through the driver adapter as Prisma's own writes do.
 */
export function insertRows<C extends string>(db: Db, table: string, columns: readonly C[], rows: readonly Record<C, Value>[], conflict?: readonly C[]): Prisma.PrismaPromise<number>[] {
  if (rows.length === 0) return [];
  const cols = raw(columns.map((c) => `"${c}"`).join(", "));
  const updated = conflict ? columns.filter((c) => !conflict.includes(c)) : [];
  const onConflict = !conflict ? raw("") : raw(` ON CONFLICT (${conflict.map((c) => `"${c}"`).join(", ")}) DO ${updated.length ? `UPDATE SET ${updated.map((c) => `"${c}" = excluded."${c}"`).join(", ")}` : "NOTHING"}`);
  const perStatement = Math.max(1, Math.floor(MAX_VALUES / columns.length));
  return inChunks(rows, perStatement).map((chunk) => {
    const values = chunk.map((r) => sqltag`(${join(columns.map((c) => r[c]))})`);
    return db.$executeRaw`INSERT INTO ${raw(`"${table}"`)} (${cols}) VALUES ${join(values)}${onConflict}`;
  });
}
