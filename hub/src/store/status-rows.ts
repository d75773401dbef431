import type { Db } from "./index.js";
import { insertStatements } from "./bulk-rows.js";
import { runInTransaction } from "./direct-sql.js";

export interface AppStatusRow {
  clusterName: string;
  app: string;
  revision: string;
  bundleDigest: string;
  sync: string;
  health: string;
  /** undefined: keep the stored ones (the row exists; its objects did not change). */
  objects: string | undefined;
  message: string;
  observedAt: Date;
}

const KEY = ["clusterName", "app"] as const;
const COLUMNS = [...KEY, "revision", "bundleDigest", "sync", "health", "message", "observedAt"] as const;

/** Inserts or replaces many AppStatus rows in one transaction (Prisma's upsert is one statement per row), past Prisma's client (direct-sql.ts). */
export async function upsertAppStatuses(db: Db, rows: readonly AppStatusRow[]): Promise<void> {
  if (rows.length === 0) return;
  const full = rows.flatMap((r) => (r.objects === undefined ? [] : [{ ...r, objects: r.objects }]));
  const kept = rows.filter((r) => r.objects === undefined);
  await runInTransaction(db, [...insertStatements("AppStatus", [...COLUMNS, "objects"], full, KEY), ...insertStatements("AppStatus", COLUMNS, kept, KEY)]);
}
