import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { RpcError, type RolloutSchema } from "@gitfleet/shared";
import type { AppSpec } from "../definitions/index.js";
import type { Init } from "../delivery/context.js";
import { healthOf } from "../status/ingest.js";
import type { Db } from "../store/index.js";
import { formatDurationMs } from "./format.js";
import type { ClusterRecord, RolloutRecord } from "./model.js";
import { toClusterRecord, toRecord } from "./rows.js";
import { amountLabel, REMAINING_STAGE, resolveStrategy, type Strategy } from "./strategy.js";

export type RolloutInit = Init<typeof RolloutSchema>;

/** An App's rollout as `gitfleet rollout status` shows it: stages, their clusters, and what it waits for. */
export async function rolloutStatus(db: Db, app: string, now = Date.now()): Promise<RolloutInit> {
  const appRow = await db.app.findUnique({ where: { name: app } });
  if (!appRow) throw new RpcError("NOT_FOUND", `no app named "${app}" (see \`gitfleet app list\`)`);
  const row = await db.rollout.findUnique({ where: { app } });
  if (!row) throw new RpcError("NOT_FOUND", `app "${app}" has no rollout yet: its Source has not been fetched or it has never rendered (see \`gitfleet app show ${app}\`)`);
  const [recordRows, assignments, statuses] = await Promise.all([
    db.rolloutCluster.findMany({ where: { app }, orderBy: { clusterName: "asc" } }),
    db.assignment.findMany({ where: { app } }),
    db.appStatus.findMany({ where: { app }, select: { clusterName: true, health: true, message: true } }),
  ]);
  const r = toRecord(row);
  const strategy = resolveStrategy((JSON.parse(appRow.spec) as AppSpec).rollout);
  const assigned = new Map(assignments.map((a) => [a.clusterName, a]));
  const status = new Map(statuses.map((s) => [s.clusterName, s]));
  const records = recordRows.map((x) => ({ name: x.clusterName, rec: toClusterRecord(x) }));
  const stages = strategy.stages
    .map((s, i) => ({
      name: s.name,
      maxUnavailable: amountLabel(s.maxUnavailable),
      bakeSeconds: BigInt(Math.round(s.bakeMs / 1000)),
      manualApproval: s.manual,
      state: r.state === "Completed" || i < r.stage ? "Passed" : i === r.stage && r.state !== "WaitingApproval" ? "Active" : "Waiting",
      clusters: records.filter((x) => x.rec.stage === i).map(({ name, rec }) => ({
        cluster: name,
        step: rec.step,
        revision: assigned.get(name)?.revision ?? "",
        target: assigned.get(name)?.target ?? "",
        health: healthOf(status.get(name)),
        message: rec.message || status.get(name)?.message || "",
        previousRevision: rec.previous?.revision ?? "",
        ...(rec.startedAt ? { startedAt: timestampFromDate(new Date(rec.startedAt)) } : {}),
        ...(rec.finishedAt ? { finishedAt: timestampFromDate(new Date(rec.finishedAt)) } : {}),
      })),
    }))
    .filter((s) => s.name !== REMAINING_STAGE || s.clusters.length > 0);
  return {
    app,
    fromRevision: r.from,
    toRevision: r.to,
    state: r.state,
    stage: strategy.stages[r.stage]?.name ?? "",
    stages,
    waitingFor: waitingFor(app, r, strategy, records, now),
    reason: r.reason,
    startedAt: timestampFromDate(new Date(r.startedAt)),
    updatedAt: timestampFromDate(row.updatedAt),
  };
}

/** What the rollout waits for now, in plain words. */
export function waitingFor(app: string, r: RolloutRecord, strategy: Strategy, records: { name: string; rec: ClusterRecord }[], now: number): string {
  const stage = strategy.stages[r.stage];
  const names = (xs: { name: string }[]) => xs.map((x) => x.name).join(", ");
  switch (r.state) {
    case "WaitingApproval":
      return `approval to start stage ${stage?.name}: gitfleet rollout promote ${app}`;
    case "Paused":
      return `an admin to resume: gitfleet rollout resume ${app}`;
    case "Halted":
    case "RolledBack":
    case "Aborted":
      return `a newer commit, or gitfleet rollout retry ${app}`;
    case "Completed": {
      const skipped = records.filter((x) => x.rec.step === "Skipped");
      return skipped.length ? `Skipped cluster(s) to come back: ${names(skipped)}` : "";
    }
    case "Progressing": {
      const current = records.filter((x) => x.rec.stage <= r.stage);
      const updating = current.filter((x) => x.rec.step === "Updating");
      if (updating.length) return `${updating.length} cluster(s) to become Healthy: ${names(updating)}`;
      const pending = current.find((x) => x.rec.step === "Pending" && x.rec.message);
      if (pending) return `${pending.name}: ${pending.rec.message}`;
      if (r.stageDoneAt !== undefined && stage) return `bake time of stage ${stage.name}: ${formatDurationMs(Math.max(0, r.stageDoneAt + stage.bakeMs - now))} left`;
      return "";
    }
  }
}
