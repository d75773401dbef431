import type { Db } from "./index.js";
import { insertStatements } from "./bulk-rows.js";
import { queryRows, runInTransaction } from "./direct-sql.js";
import { inChunks } from "./chunks.js";

export interface AppStatusRow {
  clusterName: string;
  app: string;
  revision: string;
  bundleDigest: string;
  sync: string;
  health: string;
  /** The StatusObjects row of its per-object results; "" for none. */
  objectsDigest: string;
  message: string;
  observedAt: Date;
}

/** A StatusObjects row: per-object results (JSON) stored once for every status naming its digest. */
export interface StatusObjectsRow {
  digest: string;
  objects: string;
}

const KEY = ["clusterName", "app"] as const;
const COLUMNS = [...KEY, "revision", "bundleDigest", "sync", "health", "objectsDigest", "message", "observedAt"] as const;

/**
 * Inserts or replaces many AppStatus rows and the StatusObjects rows they name, in one transaction
 * (a reader never sees a digest without its row), past Prisma's client (direct-sql.ts; Prisma's
 * upsert is one statement per row). A StatusObjects row already there only gets its seenAt
 * refreshed, which keeps it from retention. Digests go in order, so that hubs storing the same
 * ones at once on PostgreSQL lock them in the same order.
 */
export async function upsertAppStatuses(db: Db, rows: readonly AppStatusRow[], objects: readonly StatusObjectsRow[], seenAt = new Date()): Promise<void> {
  if (rows.length === 0) return;
  const sorted = [...objects].sort((a, b) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0)).map((o) => ({ ...o, seenAt }));
  await runInTransaction(db, [
    ...insertStatements("StatusObjects", ["digest", "objects", "seenAt"], sorted, ["digest"], ["seenAt"]),
    ...insertStatements("AppStatus", COLUMNS, rows, KEY),
  ]);
}

/** The per-object results (JSON) of these digests, one query per 500 distinct ones; a digest without its row is absent from the map. */
export async function statusObjects(db: Db, digests: Iterable<string>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const chunk of inChunks([...new Set(digests)].filter(Boolean))) {
    const rows = await queryRows<StatusObjectsRow>(db, `SELECT "digest", "objects" FROM "StatusObjects" WHERE "digest" IN (${chunk.map(() => "?").join(", ")})`, chunk);
    for (const r of rows) out.set(r.digest, r.objects);
  }
  return out;
}
