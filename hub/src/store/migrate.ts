/*
 * Migration runner: applies the committed SQL of prisma/migrations/<provider>/* at hub start.
 *
 * Why not `prisma migrate deploy`? With Prisma 6.19 offline we run the JS schema engine through
 * driver adapters, and its introspection fails on PostgreSQL ("Column type 'name' could not be
 * deserialized": the pg adapter lacks a type it needs); `migrate dev` fails on both providers
 * (no shadow database). It would also mean shipping the Prisma CLI in the hub image. So the
 * hub applies the SQL itself:
 *   - migrations are embedded in gen/migrations.ts (written by scripts/generate-store.mjs from
 *     prisma/migrations), so dist/ needs no files next to it;
 *   - each applied migration is recorded in the table _gitfleet_migrations (name, checksum);
 *   - all pending migrations run in ONE transaction: a failure leaves the database untouched;
 *   - PostgreSQL: under a transaction-level advisory lock, so hubs starting together serialize
 *     (the second sees the first's records and applies nothing);
 *   - SQLite: under BEGIN IMMEDIATE (the database write lock), same effect.
 * The SQL itself is authored by `prisma migrate diff` (scripts/new-migration.mjs).
 */
import Database from "better-sqlite3";
import pg from "pg";
import type { EmbeddedMigration } from "../../generated/migrations.js";

export const MIGRATIONS_TABLE = "_gitfleet_migrations";
/** pg_advisory_xact_lock(key1, key2): "gitf", 1. Advisory locks are per database. */
const LOCK_KEYS = [0x67697466, 1] as const;

export interface StoreLogger {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

type Applied = Map<string, string>;

/** What to do given the applied set; warns on edited or unknown migrations. Returns pending ones. */
function plan(all: EmbeddedMigration[], applied: Applied, log: StoreLogger): EmbeddedMigration[] {
  const known = new Set(all.map((m) => m.name));
  for (const [name, checksum] of applied) {
    if (!known.has(name)) {
      log.warn({ migration: name }, "store: database has a migration this hub does not know (was it started by a newer hub?)");
    } else if (all.find((m) => m.name === name)!.checksum !== checksum) {
      log.warn({ migration: name }, "store: an applied migration was edited after it was applied (its checksum differs); not re-applied");
    }
  }
  return all.filter((m) => !applied.has(m.name));
}

function failure(m: EmbeddedMigration, err: unknown): Error {
  return new Error(`store: migration ${m.name} failed, nothing was applied: ${(err as Error).message}`, { cause: err });
}

export function migrateSqlite(file: string, all: EmbeddedMigration[], log: StoreLogger): string[] {
  const db = new Database(file, { timeout: 30_000 });
  try {
    db.pragma("journal_mode = WAL");
    db.exec("BEGIN IMMEDIATE");
    try {
      db.exec(`CREATE TABLE IF NOT EXISTS "${MIGRATIONS_TABLE}" (
        "name" TEXT NOT NULL PRIMARY KEY, "checksum" TEXT NOT NULL, "appliedAt" TEXT NOT NULL)`);
      const rows = db.prepare(`SELECT "name", "checksum" FROM "${MIGRATIONS_TABLE}"`).all() as { name: string; checksum: string }[];
      const pending = plan(all, new Map(rows.map((r) => [r.name, r.checksum])), log);
      const record = db.prepare(`INSERT INTO "${MIGRATIONS_TABLE}" ("name", "checksum", "appliedAt") VALUES (?, ?, ?)`);
      for (const m of pending) {
        try {
          db.exec(m.sql);
        } catch (err) {
          throw failure(m, err);
        }
        record.run(m.name, m.checksum, new Date().toISOString());
      }
      db.exec("COMMIT");
      return pending.map((m) => m.name);
    } catch (err) {
      if (db.inTransaction) db.exec("ROLLBACK");
      throw err;
    }
  } finally {
    db.close();
  }
}

export async function migratePostgres(
  client: pg.Client,
  schema: string | undefined,
  all: EmbeddedMigration[],
  log: StoreLogger,
): Promise<string[]> {
  await client.query("BEGIN");
  try {
    const got = await client.query("SELECT pg_try_advisory_xact_lock($1, $2) AS ok", [...LOCK_KEYS]);
    if (!got.rows[0].ok) {
      log.info({}, "store: another hub is applying migrations; waiting for it");
      await client.query("SELECT pg_advisory_xact_lock($1, $2)", [...LOCK_KEYS]);
    }
    if (schema) {
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await client.query(`SET LOCAL search_path TO "${schema}"`);
    }
    await client.query(`CREATE TABLE IF NOT EXISTS "${MIGRATIONS_TABLE}" (
      "name" TEXT NOT NULL PRIMARY KEY, "checksum" TEXT NOT NULL, "appliedAt" TIMESTAMPTZ NOT NULL DEFAULT now())`);
    const res = await client.query<{ name: string; checksum: string }>(`SELECT "name", "checksum" FROM "${MIGRATIONS_TABLE}"`);
    const pending = plan(all, new Map(res.rows.map((r) => [r.name, r.checksum])), log);
    for (const m of pending) {
      try {
        await client.query(m.sql); // simple query protocol: many statements in one call
      } catch (err) {
        throw failure(m, err);
      }
      await client.query(`INSERT INTO "${MIGRATIONS_TABLE}" ("name", "checksum") VALUES ($1, $2)`, [m.name, m.checksum]);
    }
    await client.query("COMMIT");
    return pending.map((m) => m.name);
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  }
}
