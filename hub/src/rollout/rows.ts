import { ROLLOUT_CLUSTERS_ACTION } from "@gitfleet/shared";
import type { Db } from "../store/index.js";
import { inChunks } from "../store/chunks.js";
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

/** The AuditEvent columns eventRows fills. */
export const EVENT_COLUMNS = ["at", "actor", "action", "subject", "detail"] as const;

/** Cluster names one `rollout.clusters` audit row holds at most: a larger group is split over several rows. */
export const CLUSTERS_PER_ROW = 1000;

type ClusterGroup = { first: Extract<RolloutEvent, { kind: "cluster" }>; clusters: string[] };

/**
 * A tick's audit rows (actor "rollout", subject the App), in the order of its events: a row per
 * rollout transition ("rollout.<kind>"), and per group of cluster transitions that share was, step,
 * stage and message one ROLLOUT_CLUSTERS_ACTION row naming every cluster of the group (in rows of at most
 * CLUSTERS_PER_ROW), where the group's first transition was. A commit moving 10,000 clusters wrote
 * ~25,000 rows, one per cluster and step; a Failed cluster's message (its own status) keeps it in
 * a group of its own unless others failed alike.
 */
export function eventRows(app: string, r: RolloutRecord, events: readonly RolloutEvent[], at: Date) {
  const row = (action: string, detail: object) => ({ at, actor: "rollout", action, subject: app, detail: JSON.stringify({ from: r.from, to: r.to, ...detail }) });
  const groups = new Map<string, ClusterGroup>();
  const order: (RolloutEvent | ClusterGroup)[] = [];
  for (const e of events) {
    if (e.kind !== "cluster") {
      order.push(e);
      continue;
    }
    const key = `${e.was ?? ""}\0${e.step}\0${e.stage}\0${e.message}`;
    const group = groups.get(key);
    if (group) group.clusters.push(e.cluster);
    else {
      const created = { first: e, clusters: [e.cluster] };
      groups.set(key, created);
      order.push(created);
    }
  }
  return order.flatMap((item) => {
    if (!("clusters" in item)) {
      const { kind, ...rest } = item;
      return [row(`rollout.${kind}`, rest)];
    }
    const { was, step, stage, message } = item.first;
    return inChunks(item.clusters, CLUSTERS_PER_ROW).map((clusters) => row(ROLLOUT_CLUSTERS_ACTION, { was, step, stage, message, clusters, count: clusters.length }));
  });
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
