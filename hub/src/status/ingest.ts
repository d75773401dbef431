import { fromJson, type JsonValue } from "@bufbuild/protobuf";
import { decodeJson, objectArray, statusObjects, upsertAppStatuses, type Db } from "../store/index.js";
import { inChunks } from "../store/chunks.js";
import { assignedAndReported } from "../store/assignment-rows.js";
import type { StatusEntry } from "./batcher.js";
import type { ObjectsEncoder } from "./objects-encoder.js";
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { HealthState, ObjectResultSchema, SyncState, type ObjectResult } from "@gitfleet/shared";
import { MAX_STATUS_MESSAGE, truncate } from "../config/limits.js";
import type { Ctx } from "../delivery/context.js";
import { reportsDesired } from "./desired.js";

/** A stored status that turned Degraded (for app.degraded notices). */
export interface TurnedDegraded {
  cluster: string;
  app: string;
  revision: string;
  message: string;
}

/**
 * Stores a batch of reported AppStatuses (one row per cluster and app; status/batcher.ts makes the
 * batches). Enums are stored by name. Only Apps assigned to the cluster are accepted, or ones it
 * already has a row for (still pruning an App it lost); anything else an agent claims is dropped.
 * Sizes are capped. Per-object results are stored once per content (StatusObjects; the fleet's
 * clusters report the same few lists), each row naming them by digest. Returns the statuses written
 * and those that turned Degraded.
 */
export async function storeStatuses(ctx: Ctx, entries: readonly StatusEntry[], encode: ObjectsEncoder): Promise<{ written: StatusEntry[]; degraded: TurnedDegraded[] }> {
  const { db } = ctx;
  const stored = ctx.metrics.statusIngestSeconds.startTimer();
  const clusters = [...new Set(entries.map((e) => e.cluster))];
  const allowed = await reportableAppsOf(ctx, clusters);
  const written = entries.filter((e) => allowed.get(e.cluster)?.has(e.status.app));
  if (written.length < entries.length) {
    const dropped = entries.filter((e) => !allowed.get(e.cluster)?.has(e.status.app));
    ctx.log.warn({ clusters: [...new Set(dropped.map((e) => e.cluster))].slice(0, 10), apps: [...new Set(dropped.map((e) => e.status.app.slice(0, 100)))].slice(0, 10), statuses: dropped.length }, "dropped status for apps not assigned to the cluster");
  }
  // Only a batch with a Degraded App costs the read that finds which turned Degraded.
  const degradedNow = written.filter((e) => e.status.health === HealthState.DEGRADED);
  const wasDegraded = new Set<string>();
  for (const names of inChunks([...new Set(degradedNow.map((e) => e.cluster))])) {
    const rows = await db.appStatus.findMany({ where: { clusterName: { in: names }, health: "DEGRADED" }, select: { clusterName: true, app: true } });
    for (const r of rows) wasDegraded.add(`${r.clusterName}\0${r.app}`);
  }
  const objects = written.map(({ status: s }) => encode(s.bundleDigest, s.objects));
  const distinct = new Map(objects.filter((o) => o.digest).map((o) => [o.digest, { digest: o.digest, objects: o.json }]));
  await upsertAppStatuses(db, written.map(({ cluster, status: s }, i) => ({
    clusterName: cluster,
    app: s.app,
    revision: s.revision.slice(0, 64),
    bundleDigest: s.bundleDigest.slice(0, 80),
    sync: SyncState[s.sync] ?? "UNSPECIFIED",
    health: HealthState[s.health] ?? "UNSPECIFIED",
    objectsDigest: objects[i]!.digest,
    message: truncate(s.message, MAX_STATUS_MESSAGE),
    observedAt: s.observedAt ? timestampDate(s.observedAt) : new Date(),
  })), [...distinct.values()]);
  stored();
  ctx.metrics.statusWrites.inc(written.length);
  const degraded = degradedNow
    .filter((e) => !wasDegraded.has(`${e.cluster}\0${e.status.app}`))
    .map((e) => ({ cluster: e.cluster, app: e.status.app, revision: e.status.revision.slice(0, 64), message: truncate(e.status.message, MAX_STATUS_MESSAGE) }));
  return { written, degraded };
}

/** reportableApps for many clusters (two plain queries per 500 clusters, not two per report). */
async function reportableAppsOf(ctx: Pick<Ctx, "db">, clusters: readonly string[]): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  for (const names of inChunks(clusters)) {
    const { assigned, reported } = await assignedAndReported(ctx.db, names);
    for (const r of [...assigned, ...reported]) {
      const apps = out.get(r.clusterName) ?? new Set<string>();
      apps.add(r.app);
      out.set(r.clusterName, apps);
    }
  }
  return out;
}

export type StatusRow = { sync: string; health: string; revision: string; bundleDigest: string; objectsDigest: string; message: string; observedAt: Date };

/** Per-object results by digest, decoded once each however many rows name them (statusDetail's second argument). */
export type ObjectsByDigest = ReadonlyMap<string, ObjectResult[]>;

/** The per-object results the rows name: one query for their distinct digests, not one per row. */
export async function objectsOf(db: Db, rows: readonly Pick<StatusRow, "objectsDigest">[]): Promise<ObjectsByDigest> {
  const found = await statusObjects(db, rows.map((r) => r.objectsDigest));
  return new Map([...found].map(([digest, json]) => [digest, decodeJson(json, "StatusObjects", "objects", objectArray).map((o): ObjectResult => fromJson(ObjectResultSchema, o as JsonValue))]));
}

/** The columns the App summaries count with; listing Apps reads only these (not the objects). */
export type StatusCounts = Pick<StatusRow, "sync" | "health" | "revision" | "bundleDigest">;

export function syncOf(row: Pick<StatusRow, "sync"> | undefined): SyncState {
  return SyncState[(row?.sync ?? "UNSPECIFIED") as keyof typeof SyncState] ?? SyncState.UNSPECIFIED;
}

export function healthOf(row: Pick<StatusRow, "health"> | undefined): HealthState {
  return HealthState[(row?.health ?? "UNSPECIFIED") as keyof typeof HealthState] ?? HealthState.UNSPECIFIED;
}

/** The agent runs what it should: the desired revision and bundle, reported Synced. */
export function isSynced(desired: { revision: string; bundleDigest: string }, row: StatusCounts | undefined): boolean {
  return reportsDesired(desired, row) && syncOf(row) === SyncState.SYNCED;
}

/** A row whose digest has no StatusObjects row (removed meanwhile) shows no objects. */
export function statusDetail(row: StatusRow | undefined, objects: ObjectsByDigest) {
  if (!row) return {};
  return {
    appliedRevision: row.revision,
    appliedDigest: row.bundleDigest,
    sync: syncOf(row),
    health: healthOf(row),
    message: row.message,
    objects: objects.get(row.objectsDigest) ?? [],
    observedAt: timestampFromDate(row.observedAt),
  };
}
