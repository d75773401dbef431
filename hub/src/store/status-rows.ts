import type { Db } from "./index.js";
import { insertRows } from "./bulk-rows.js";

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

/** Inserts or replaces many AppStatus rows in one transaction (Prisma's upsert is one statement per row). */
export async function upsertAppStatuses(db: Db, rows: readonly AppStatusRow[]): Promise<void> {
  if (rows.length === 0) return;
  const full = rows.flatMap((r) => (r.objects === undefined ? [] : [{ ...r, objects: r.objects }]));
  const kept = rows.filter((r) => r.objects === undefined);
  await db.$transaction([...insertRows(db, "AppStatus", [...COLUMNS, "objects"], full, KEY), ...insertRows(db, "AppStatus", COLUMNS, kept, KEY)]);
}
