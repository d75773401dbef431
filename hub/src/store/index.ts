// The hub's storage: Prisma 6.19 over SQLite (default, a file in --data-dir) or PostgreSQL
// (postgres:// or postgresql:// URL). openStore() applies pending migrations, then returns a
// ready client. Models: hub/prisma/models.prisma.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import pg from "pg";
import type { PrismaClient } from "../../generated/prisma/sqlite/client.js";
import { migrations } from "../../generated/migrations.js";
import { migratePostgres, migrateSqlite, type StoreLogger } from "./migrate.js";
import { resolveTarget, StoreConfigError, type StoreTarget } from "./target.js";
import { lockSqliteHub, type HubLock } from "./single-hub.js";
import { SINGLETON_LEASE, startPgCoordination } from "./coordination.js";
import { localCoordination, type Coordination } from "../ha/index.js";
import { DEFAULT_POOL_SIZE, POOL_WAIT_MS } from "./unavailable.js";
import { capturingFactory, isAdapterUniqueViolation, StaleRowError, type SqlStatement } from "./direct-sql.js";

export { HubLockedError, type HubLock } from "./single-hub.js";

export { StoreConfigError, redactUrl } from "./target.js";
export type { StoreLogger } from "./migrate.js";
export type {
  Prisma,
  Cluster,
  ClusterTombstone,
  Token,
  Source,
  Revision,
  App,
  Bundle,
  Render,
  Assignment,
  AppStatus,
  DriftEvent,
  AuditEvent,
} from "../../generated/prisma/sqlite/client.js";

/** The Prisma client. The PostgreSQL client is generated from the same models and is cast to this. */
export type Db = PrismaClient;

export interface Store {
  db: Db;
  provider: "sqlite" | "postgresql";
  /** Where the data lives (for coordination connections); its connection string may hold a password. */
  target: StoreTarget;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  dataDir: string;
  databaseUrl?: string;
  /** PostgreSQL: connections in this hub's pool (default DEFAULT_POOL_SIZE). */
  poolSize?: number;
  logger?: StoreLogger;
}

const silent: StoreLogger = { info() {}, warn() {}, error() {} };

export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  const log = opts.logger ?? silent;
  const target = resolveTarget(opts.dataDir, opts.databaseUrl);
  const db = target.provider === "sqlite" ? await openSqlite(target, log) : await openPostgres(target, opts.poolSize ?? DEFAULT_POOL_SIZE, log);
  return {
    db,
    provider: target.provider,
    target,
    async close() {
      await db.$disconnect();
    },
  };
}

async function openSqlite(t: Extract<StoreTarget, { provider: "sqlite" }>, log: StoreLogger): Promise<Db> {
  try {
    mkdirSync(dirname(t.file), { recursive: true });
  } catch (err) {
    throw new StoreConfigError(`cannot create the directory for ${t.file}: ${(err as Error).message}`);
  }
  log.info({ provider: "sqlite", database: t.display }, "store: opening SQLite");
  const applied = migrateSqlite(t.file, migrations.sqlite, log);
  logApplied(log, applied);
  const [{ PrismaClient }, { PrismaBetterSQLite3 }] = await Promise.all([
    import("../../generated/prisma/sqlite/client.js"),
    import("@prisma/adapter-better-sqlite3"),
  ]);
  const adapter = capturingFactory(new PrismaBetterSQLite3({ url: t.file, timeout: 30_000 }));
  const db = new PrismaClient({ adapter: adapter.factory });
  adapter.register(db);
  return db;
}

async function openPostgres(t: Extract<StoreTarget, { provider: "postgresql" }>, poolSize: number, log: StoreLogger): Promise<Db> {
  log.info({ provider: "postgresql", database: t.display, schema: t.schema ?? "public", poolSize }, "store: opening PostgreSQL");
  const client = new pg.Client({ connectionString: t.connectionString, connectionTimeoutMillis: 15_000 });
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    const msg = `store: cannot connect to PostgreSQL at ${t.display}: ${(err as Error).message || (err as { code?: string }).code || String(err)}`;
    log.error({ database: t.display }, msg);
    throw new Error(msg, { cause: err });
  }
  try {
    logApplied(log, await migratePostgres(client, t.schema, migrations.postgresql, log));
  } finally {
    await client.end().catch(() => undefined);
  }
  const [{ PrismaClient }, { PrismaPg }] = await Promise.all([
    import("../../generated/prisma/postgres/client.js"),
    import("@prisma/adapter-pg"),
  ]);
  const adapter = capturingFactory(new PrismaPg(
    // search_path: the few raw statements (status-rows.ts) name tables unqualified, as Prisma's own queries do with `schema`.
    // connectionTimeoutMillis is also how long a query waits for a free connection of the pool.
    { connectionString: t.connectionString, max: poolSize, connectionTimeoutMillis: POOL_WAIT_MS, ...(t.schema ? { options: `-c search_path="${t.schema.replace(/"/g, '""')}"` } : {}) },
    {
      ...(t.schema ? { schema: t.schema } : {}),
      onPoolError: (err) => log.warn({ database: t.display, err: err.message }, "store: idle PostgreSQL connection failed"),
    },
  ));
  // Same models, same API: only the provider differs, so the client is typed as the SQLite one.
  const db = new PrismaClient({ adapter: adapter.factory }) as unknown as Db;
  adapter.register(db);
  return db;
}

/** SQLite: the lock that keeps a second hub off the same database file; PostgreSQL: none (hubs share it). */
export function lockSingleHub(dataDir: string, databaseUrl?: string): HubLock | undefined {
  const target = resolveTarget(dataDir, databaseUrl);
  if (target.provider !== "sqlite") return undefined;
  mkdirSync(dirname(target.file), { recursive: true });
  return lockSqliteHub(target.file);
}

/** How this hub learns of the others and who leads: in-process for SQLite, LISTEN/NOTIFY and a lease row for PostgreSQL. */
export async function openCoordination(store: Store, hubId: string, log: StoreLogger, lease: { ttlMs: number; renewMs: number }): Promise<Coordination> {
  if (store.target.provider === "sqlite") return localCoordination(hubId);
  const { connectionString, schema } = store.target;
  return startPgCoordination({ connectionString, ...(schema ? { schema } : {}), hubId, log, leaseTtlMs: lease.ttlMs, leaseRenewMs: lease.renewMs });
}

/**
 * The statement that fences a write by the singleton lease's holder: put in the write's
 * runInTransaction (direct-sql.ts), it fails it (StaleRowError, isNotFound) when another hub took
 * the lease since (its epoch moved on).
 */
export function leaseFenceSql(lease: { holder: string; epoch: number } | undefined): SqlStatement[] {
  return lease ? [{ sql: `UPDATE "Lease" SET "holder" = ? WHERE "name" = ? AND "holder" = ? AND "epoch" = ?`, args: [lease.holder, SINGLETON_LEASE, lease.holder, lease.epoch], expect: 1 }] : [];
}

function logApplied(log: StoreLogger, applied: string[]) {
  if (applied.length) log.info({ migrations: applied }, `store: applied ${applied.length} migration(s)`);
  else log.info({}, "store: schema up to date");
}

/** True for a unique-constraint violation (Prisma P2002), on either provider. */
export function isUniqueViolation(err: unknown): boolean {
  return (typeof err === "object" && err !== null && (err as { code?: unknown }).code === "P2002") || isAdapterUniqueViolation(err);
}

/** True when the record to update/delete does not exist (Prisma P2025), on either provider. */
export function isNotFound(err: unknown): boolean {
  return (typeof err === "object" && err !== null && (err as { code?: unknown }).code === "P2025") || err instanceof StaleRowError;
}

export { createAppRepository, type AppRecord, type AppRepository, type AppState } from "./apps.js";
export { createSourceRepository, type SourceRecord, type SourceRepository, type SourceState } from "./sources.js";
export { CorruptRecordError } from "./records.js";
export { clusterLabelSources, clusterNamespaces, type ClusterLabelSources } from "./clusters.js";
export { statusObjects, upsertAppStatuses, type AppStatusRow, type StatusObjectsRow } from "./status-rows.js";
export { storeUnavailable, DEFAULT_POOL_SIZE } from "./unavailable.js";
export { decodeJson, objectArray, plainObject, stringArray, stringMap } from "./records.js";
