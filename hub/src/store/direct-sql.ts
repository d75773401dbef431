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

/** Runs the statements in one transaction on the store's own connection; resolves to the rows each changed. */
export async function runInTransaction(db: Db, statements: readonly SqlStatement[]): Promise<number[]> {
  if (statements.length === 0) return [];
  const connected = adapters.get(db);
  if (!connected) throw new Error("runInTransaction needs a store opened by openStore (it reaches the store's driver adapter)");
  if (!connected()) await db.$connect();
  const adapter = connected()!;
  const postgres = adapter.provider === "postgres";
  const run = (sql: string, args: readonly SqlValue[] = []) => tx.executeRaw({ sql: postgres ? toDollar(sql) : sql, args: [...args], argTypes: args.map(argType) });
  // The adapter's transaction holds its connection (and on SQLite its lock); COMMIT and ROLLBACK are the caller's to send.
  const tx = await adapter.startTransaction();
  try {
    const counts: number[] = [];
    for (const s of statements) counts.push(await run(s.sql, s.args));
    await run("COMMIT");
    await tx.commit();
    return counts;
  } catch (err) {
    await run("ROLLBACK").catch(() => undefined);
    await tx.rollback();
    throw err;
  }
}

/** `?` to `$n`: the statements here hold no `?` of their own (no string literals, identifiers quoted without it). */
function toDollar(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
