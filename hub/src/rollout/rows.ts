import type { Db } from "../store/index.js";
import type { SqlStatement } from "../store/direct-sql.js";
import type { ClusterRecord, Placement, RolloutEvent, RolloutRecord, RolloutState, Step } from "./model.js";

type RolloutRow = NonNullable<Awaited<ReturnType<Db["rollout"]["findUnique"]>>>;
type ClusterRow = Awaited<ReturnType<Db["rolloutCluster"]["findMany"]>>[number];

export function toRecord(row: RolloutRow): RolloutRecord {
  return {
    key: row.key, from: row.fromRevision, to: row.toRevision, state: row.state as RolloutState, stage: row.stage, approvedStage: row.approvedStage,
    ...(row.stageDoneAt ? { stageDoneAt: row.stageDoneAt.getTime() } : {}), reason: row.reason, startedAt: row.startedAt.getTime(),
  };
}

export function fromRecord(app: string, r: RolloutRecord) {
  return {
    app, key: r.key, fromRevision: r.from, toRevision: r.to, state: r.state, stage: r.stage, approvedStage: r.approvedStage,
    stageDoneAt: r.stageDoneAt === undefined ? null : new Date(r.stageDoneAt), reason: r.reason, startedAt: new Date(r.startedAt),
  };
}

export function toClusterRecord(row: ClusterRow): ClusterRecord {
  const previous: Placement | undefined = row.prevRevision !== null ? { target: row.prevTarget ?? "", revision: row.prevRevision, bundleDigest: row.prevDigest ?? "" } : undefined;
  return {
    step: row.step as Step, stage: row.stage, message: row.message,
    ...(row.startedAt ? { startedAt: row.startedAt.getTime() } : {}), ...(row.finishedAt ? { finishedAt: row.finishedAt.getTime() } : {}), ...(previous ? { previous } : {}),
  };
}

/** The RolloutCluster columns fromClusterRecord fills, for multi-row inserts. */
export const CLUSTER_COLUMNS = ["app", "clusterName", "step", "stage", "message", "startedAt", "finishedAt", "prevTarget", "prevRevision", "prevDigest"] as const;

export function fromClusterRecord(app: string, clusterName: string, r: ClusterRecord) {
  return {
    app, clusterName, step: r.step, stage: r.stage, message: r.message,
    startedAt: r.startedAt === undefined ? null : new Date(r.startedAt), finishedAt: r.finishedAt === undefined ? null : new Date(r.finishedAt),
    prevTarget: r.previous?.target ?? null, prevRevision: r.previous?.revision ?? null, prevDigest: r.previous?.bundleDigest ?? null,
  };
}

type ClusterRecordRow = ReturnType<typeof fromClusterRecord>;
const sameDate = (a: Date | null, b: Date | null) => (a === null ? b === null : b !== null && a.getTime() === b.getTime());

/** Whether two fromClusterRecord rows store the same: a tick rewrites only the records that changed (JSON.stringify of 10,000 rows a tick cost more than the reads). */
export function sameClusterRow(a: ClusterRecordRow, b: ClusterRecordRow): boolean {
  return a.app === b.app && a.clusterName === b.clusterName && a.step === b.step && a.stage === b.stage && a.message === b.message
    && sameDate(a.startedAt, b.startedAt) && sameDate(a.finishedAt, b.finishedAt)
    && a.prevTarget === b.prevTarget && a.prevRevision === b.prevRevision && a.prevDigest === b.prevDigest;
}

/** The AuditEvent columns eventRow fills. */
export const EVENT_COLUMNS = ["at", "actor", "action", "subject", "detail"] as const;

/** An audit row per rollout transition: actor "rollout", action "rollout.<kind>", subject the App. */
export function eventRow(app: string, r: RolloutRecord, e: RolloutEvent, at: Date) {
  const { kind, ...rest } = e;
  return { at, actor: "rollout", action: `rollout.${kind}`, subject: app, detail: JSON.stringify({ from: r.from, to: r.to, ...rest }) };
}

const ROLLOUT_COLUMNS = ["app", "key", "fromRevision", "toRevision", "state", "stage", "approvedStage", "stageDoneAt", "reason", "startedAt"] as const;

/** Creates the App's Rollout row (a concurrent create fails the transaction: a unique violation). */
export function createRolloutSql(app: string, r: RolloutRecord, updatedAt: Date): SqlStatement {
  const row = fromRecord(app, r);
  return {
    sql: `INSERT INTO "Rollout" (${[...ROLLOUT_COLUMNS, "updatedAt"].map((c) => `"${c}"`).join(", ")}) VALUES (${[...ROLLOUT_COLUMNS, "updatedAt"].map(() => "?").join(", ")})`,
    args: [...ROLLOUT_COLUMNS.map((c) => row[c]), updatedAt],
  };
}

/** Stores the rollout (or only its updatedAt, without `r`) if its updatedAt is still `read`: else the transaction fails with StaleRowError. */
export function updateRolloutSql(app: string, read: Date, r: RolloutRecord | undefined, updatedAt: Date): SqlStatement {
  const row = r ? fromRecord(app, r) : undefined;
  const set = row ? ROLLOUT_COLUMNS.filter((c) => c !== "app") : [];
  return {
    sql: `UPDATE "Rollout" SET ${[...set, "updatedAt"].map((c) => `"${c}" = ?`).join(", ")} WHERE "app" = ? AND "updatedAt" = ?`,
    args: [...set.map((c) => row![c]), updatedAt, app, read],
    expect: 1,
  };
}
