import { fromJson, toJson, type JsonValue } from "@bufbuild/protobuf";
import { decodeJson, objectArray } from "../store/index.js";
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { HealthState, ObjectResultSchema, SyncState, type ObjectResult, type StatusReport } from "@gitfleet/shared";
import { MAX_OBJECT_MESSAGE, MAX_STATUS_MESSAGE, MAX_STATUS_OBJECTS, truncate } from "../config/limits.js";
import type { Ctx } from "../delivery/context.js";
import { reportableApps } from "../assign/assignments.js";

/**
 * Stores each reported AppStatus (one row per cluster and app). Enums are stored by name.
 * Only Apps assigned to the cluster are accepted, or ones it already has a row for (still
 * pruning an App it lost); anything else an agent claims is dropped. Sizes are capped.
 */
export async function storeStatus(ctx: Ctx, cluster: string, report: StatusReport): Promise<void> {
  const { db } = ctx;
  const allowed = await reportableApps(ctx, cluster);
  const accepted = new Map(report.apps.filter((s) => allowed.has(s.app)).map((s) => [s.app, s]));
  if (accepted.size < report.apps.length) ctx.log.warn({ cluster, apps: report.apps.filter((s) => !allowed.has(s.app)).slice(0, 10).map((s) => s.app.slice(0, 100)) }, "dropped status for apps not assigned to the cluster");
  const stored = ctx.metrics.statusIngestSeconds.startTimer();
  await db.$transaction([...accepted.values()].map((s) => {
    const data = {
      revision: s.revision.slice(0, 64),
      bundleDigest: s.bundleDigest.slice(0, 80),
      sync: SyncState[s.sync] ?? "UNSPECIFIED",
      health: HealthState[s.health] ?? "UNSPECIFIED",
      objects: JSON.stringify(s.objects.slice(0, MAX_STATUS_OBJECTS).map((o) => toJson(ObjectResultSchema, { ...o, message: truncate(o.message, MAX_OBJECT_MESSAGE) }))),
      message: truncate(s.message, MAX_STATUS_MESSAGE),
      observedAt: s.observedAt ? timestampDate(s.observedAt) : new Date(),
    };
    return db.appStatus.upsert({ where: { clusterName_app: { clusterName: cluster, app: s.app } }, create: { clusterName: cluster, app: s.app, ...data }, update: data });
  }));
  stored();
}

export type StatusRow = { sync: string; health: string; revision: string; bundleDigest: string; objects: string; message: string; observedAt: Date };

/** The columns the App summaries count with; listing Apps reads only these (not the objects). */
export type StatusCounts = Pick<StatusRow, "sync" | "health" | "revision" | "bundleDigest">;

export function syncOf(row: Pick<StatusRow, "sync"> | undefined): SyncState {
  return SyncState[(row?.sync ?? "UNSPECIFIED") as keyof typeof SyncState] ?? SyncState.UNSPECIFIED;
}

export function healthOf(row: Pick<StatusRow, "health"> | undefined): HealthState {
  return HealthState[(row?.health ?? "UNSPECIFIED") as keyof typeof HealthState] ?? HealthState.UNSPECIFIED;
}

/** The agent runs what it should: the desired revision and bundle (they differ per cluster with substitute), reported Synced. */
export function isSynced(desired: { revision: string; bundleDigest: string }, row: StatusCounts | undefined): boolean {
  return row !== undefined && row.revision === desired.revision && row.bundleDigest === desired.bundleDigest && syncOf(row) === SyncState.SYNCED;
}

export function statusDetail(row: StatusRow | undefined) {
  if (!row) return {};
  return {
    appliedRevision: row.revision,
    appliedDigest: row.bundleDigest,
    sync: syncOf(row),
    health: healthOf(row),
    message: row.message,
    objects: decodeJson(row.objects, "AppStatus", "objects", objectArray).map((o): ObjectResult => fromJson(ObjectResultSchema, o as JsonValue)),
    observedAt: timestampFromDate(row.observedAt),
  };
}
