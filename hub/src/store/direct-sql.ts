import type { SqlDriverAdapterFactory } from "@prisma/client/runtime/client";
import type { Db } from "./index.js";

type SqlDriverAdapter = Awaited<ReturnType<SqlDriverAdapterFactory["connect"]>>;
type ArgType = Parameters<SqlDriverAdapter["executeRaw"]>[0]["argTypes"][number];

// Statements that bypass Prisma's client for its own driver adapter (the same connection or pool,
// the same argument conversion): a raw statement through the client still passes every argument
// through its query compiler (WebAssembly) and back, which for the status rows' few KB of JSON
// each cost 40 times the SQLite write itself (2,000 rows: 0.8 s against 20 ms).

export type SqlValue = string | number | boolean | Date | null;
export interface SqlStatement {
  /** With `?` placeholders; turned into `$1`, `$2`, … on PostgreSQL. */
  sql: string;
  args: readonly SqlValue[];
  /** The rows it must change, else the transaction is rolled back with StaleRowError (what was read changed since, or the lease moved). */
  expect?: number;
}

/** A guarded statement of runInTransaction changed another number of rows than it expected; nothing was written. */
export class StaleRowError extends Error {
  override name = "StaleRowError";
  constructor(sql: string, changed: number, expected: number) {
    super(`${sql.slice(0, 80)}: changed ${changed} row(s), expected ${expected}: the row changed since it was read`);
  }
}

/** The driver adapter's error for a unique or primary key violation (Prisma's P2002 on its own path). */
export function isAdapterUniqueViolation(err: unknown): boolean {
  return err instanceof Error && err.name === "DriverAdapterError" && (err.cause as { kind?: unknown } | undefined)?.kind === "UniqueConstraintViolation";
}

const adapters = new WeakMap<Db, () => SqlDriverAdapter | undefined>();

/** The factory to give PrismaClient, so that directSql can reach the adapter it connects. */
export function capturingFactory(factory: SqlDriverAdapterFactory): { factory: SqlDriverAdapterFactory; register(db: Db): void } {
  let adapter: SqlDriverAdapter | undefined;
  const wrapped: SqlDriverAdapterFactory = {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => (adapter = await factory.connect()),
  };
  return { factory: wrapped, register: (db) => adapters.set(db, () => adapter) };
}

const argType = (v: SqlValue): ArgType => ({
  arity: "scalar",
  scalarType: v instanceof Date ? "datetime" : typeof v === "string" ? "string" : typeof v === "boolean" ? "boolean" : typeof v === "number" ? (Number.isInteger(v) ? "int" : "float") : "unknown",
});

async function connectedAdapter(db: Db): Promise<SqlDriverAdapter> {
  const connected = adapters.get(db);
  if (!connected) throw new Error("direct SQL needs a store opened by openStore (it reaches the store's driver adapter)");
  if (!connected()) await db.$connect();
  return connected()!;
}

/** Runs the statements in one transaction on the store's own connection; resolves to the rows each changed. */
export async function runInTransaction(db: Db, statements: readonly SqlStatement[]): Promise<number[]> {
  if (statements.length === 0) return [];
  const adapter = await connectedAdapter(db);
  // The adapter's transaction holds its connection (and on SQLite its lock); COMMIT and ROLLBACK are
  // the caller's to send. Should BEGIN throw, nothing of ours ran: no ROLLBACK, it would end another's.
  const tx = await adapter.startTransaction();
  const postgres = adapter.provider === "postgres";
  const run = (sql: string, args: readonly SqlValue[] = []) => tx.executeRaw({ sql: postgres ? toDollar(sql) : sql, args: [...args], argTypes: args.map(argType) });
  try {
    const counts: number[] = [];
    for (const s of statements) {
      const changed = await run(s.sql, s.args);
      if (s.expect !== undefined && changed !== s.expect) throw new StaleRowError(s.sql, changed, s.expect);
      counts.push(changed);
    }
    await run("COMMIT");
    await tx.commit();
    return counts;
  } catch (err) {
    // A failed ROLLBACK is harmless once SQLite has ended the transaction itself (it does on some
    // errors). One that leaves it open is not: Prisma's SQLite adapter takes its lock before BEGIN and
    // keeps it when BEGIN throws, so the next transaction (ours or Prisma's) would hold it for ever.
    const rollback = await run("ROLLBACK").then(() => undefined, (e: unknown) => e);
    const stuck = rollback !== undefined && sqliteInTransaction(adapter);
    await tx.rollback();
    if (stuck) throw new Error(`ROLLBACK failed and left the store's connection inside a transaction (${(rollback as Error).message}): restart the hub`, { cause: err });
    throw err;
  }
}

/** better-sqlite3's own flag, on the SQLite adapter's connection; false elsewhere. */
function sqliteInTransaction(adapter: SqlDriverAdapter): boolean {
  return (adapter as { client?: { inTransaction?: unknown } }).client?.inTransaction === true;
}

/** The rows of a query on the store's own connection, one object per row by column name (dates come back as the driver gives them: read none). */
export async function queryRows<T>(db: Db, sql: string, args: readonly SqlValue[]): Promise<T[]> {
  const adapter = await connectedAdapter(db);
  const result = await adapter.queryRaw({ sql: adapter.provider === "postgres" ? toDollar(sql) : sql, args: [...args], argTypes: args.map(argType) });
  const { columnNames, rows } = result;
  // A plain loop: Object.fromEntries of an array of pairs per row cost a tenth of a 10,000-row read.
  return rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < columnNames.length; i++) out[columnNames[i]!] = row[i];
    return out as T;
  });
}

/** `?` to `$n`: the statements here hold no `?` of their own (no string literals, identifiers quoted without it). */
function toDollar(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
