import type { Db } from "./index.js";
import { insertRows } from "./bulk-rows.js";

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

/** Inserts or replaces many AppStatus rows in one transaction (Prisma's upsert is one statement per row). */
export async function upsertAppStatuses(db: Db, rows: readonly AppStatusRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.$transaction(insertRows(db, "AppStatus", COLUMNS, rows, ["clusterName", "app"]));
}
