import { inChunks } from "./chunks.js";
import type { SqlStatement, SqlValue } from "./direct-sql.js";

// Bound values per statement: under SQLite's historic limit of 999 (any build), and PostgreSQL's 65,535.
const MAX_VALUES = 999;

/** `INSERT INTO "T" ("a", "b")`'s column list and the `ON CONFLICT` clause: with `conflict` (the table's key columns), an existing row gets the new values of `updated` (by default every other column). */
function clauses<C extends string>(columns: readonly C[], conflict?: readonly C[], updated: readonly C[] = conflict ? columns.filter((c) => !conflict.includes(c)) : []) {
  return {
    cols: columns.map((c) => `"${c}"`).join(", "),
    onConflict: !conflict ? "" : ` ON CONFLICT (${conflict.map((c) => `"${c}"`).join(", ")}) DO ${updated.length ? `UPDATE SET ${updated.map((c) => `"${c}" = excluded."${c}"`).join(", ")}` : "NOTHING"}`,
    perStatement: Math.max(1, Math.floor(MAX_VALUES / columns.length)),
  };
}

/**
 * Multi-row `INSERT`s for one table, as statements for runInTransaction (direct-sql.ts): Prisma's
 * createMany and upsert compile their whole argument in its query compiler (a commit's thousands
 * of rows cost more there than in the database), and upsert is one statement per row. Reads the
 * same on SQLite and PostgreSQL; dates go through the driver adapter as Prisma's own writes do.
 */
export function insertStatements<C extends string>(table: string, columns: readonly C[], rows: readonly Record<C, SqlValue>[], conflict?: readonly C[], updated?: readonly C[]): SqlStatement[] {
  const { cols, onConflict, perStatement } = clauses(columns, conflict, updated);
  const row = `(${columns.map(() => "?").join(", ")})`;
  return inChunks(rows, perStatement).map((chunk) => ({
    sql: `INSERT INTO "${table}" (${cols}) VALUES ${chunk.map(() => row).join(", ")}${onConflict}`,
    args: chunk.flatMap((r) => columns.map((c) => r[c])),
  }));
}
