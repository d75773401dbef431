import { fromJson, toJson, type JsonValue } from "@bufbuild/protobuf";
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { HealthState, ObjectResultSchema, SyncState, type ObjectResult, type StatusReport } from "@gitfleet/shared";
import type { Ctx } from "../delivery/context.js";

/** Stores each reported AppStatus (one row per cluster and app). Enums are stored by name. */
export async function storeStatus(ctx: Ctx, cluster: string, report: StatusReport): Promise<void> {
  const { db } = ctx;
  await db.$transaction(report.apps.map((s) => {
    const data = {
      revision: s.revision,
      bundleDigest: s.bundleDigest,
      sync: SyncState[s.sync] ?? "UNSPECIFIED",
      health: HealthState[s.health] ?? "UNSPECIFIED",
      objects: JSON.stringify(s.objects.map((o) => toJson(ObjectResultSchema, o))),
      message: s.message,
      observedAt: s.observedAt ? timestampDate(s.observedAt) : new Date(),
    };
    return db.appStatus.upsert({ where: { clusterName_app: { clusterName: cluster, app: s.app } }, create: { clusterName: cluster, app: s.app, ...data }, update: data });
  }));
}

export type StatusRow = { sync: string; health: string; revision: string; bundleDigest: string; objects: string; message: string; observedAt: Date };

/** The columns the App summaries count with; listing Apps reads only these (not the objects). */
export type StatusCounts = Pick<StatusRow, "sync" | "health" | "revision">;

export function syncOf(row: Pick<StatusRow, "sync"> | undefined): SyncState {
  return SyncState[(row?.sync ?? "UNSPECIFIED") as keyof typeof SyncState] ?? SyncState.UNSPECIFIED;
}

export function healthOf(row: Pick<StatusRow, "health"> | undefined): HealthState {
  return HealthState[(row?.health ?? "UNSPECIFIED") as keyof typeof HealthState] ?? HealthState.UNSPECIFIED;
}

/** The agent runs what it should: the desired revision, reported Synced. */
export function isSynced(desiredRevision: string, row: StatusCounts | undefined): boolean {
  return row !== undefined && row.revision === desiredRevision && syncOf(row) === SyncState.SYNCED;
}

export function statusDetail(row: StatusRow | undefined) {
  if (!row) return {};
  return {
    appliedRevision: row.revision,
    appliedDigest: row.bundleDigest,
    sync: syncOf(row),
    health: healthOf(row),
    message: row.message,
    objects: (JSON.parse(row.objects) as JsonValue[]).map((o): ObjectResult => fromJson(ObjectResultSchema, o)),
    observedAt: timestampFromDate(row.observedAt),
  };
}
