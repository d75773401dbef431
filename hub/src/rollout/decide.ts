import { reportsDesired } from "../status/desired.js";
import { formatDurationMs } from "./format.js";
import { ACTIVE_STATES, samePlacement, type ClusterRecord, type ClusterView, type Placement, type RolloutEvent, type RolloutRecord, type Step } from "./model.js";
import { stageOf } from "./stages.js";
import { limitOf, type Strategy } from "./strategy.js";

export interface DecideInput {
  strategy: Strategy;
  rollout?: RolloutRecord;
  /** Identity of what should roll out now (revision + bundles); a different key starts a new rollout. */
  key: string;
  to: string;
  clusters: readonly ClusterView[];
  now: number;
}

export interface Decision {
  rollout: RolloutRecord;
  records: Map<string, ClusterRecord>;
  /** What every cluster of the view should be assigned now (undefined: nothing). */
  assign: Map<string, Placement | undefined>;
  events: RolloutEvent[];
  /** When a bake time or progress deadline runs out: decide again then. */
  wakeAt?: number;
}

const MOVED: readonly Step[] = ["Updating", "Healthy", "Failed"];

/**
 * The rollout controller's whole judgement, over plain data: which clusters move to the new
 * bundle now, which stay, when a stage passes, when the rollout halts and rolls back.
 */
export function decide(input: DecideInput): Decision {
  const { strategy, now } = input;
  const events: RolloutEvent[] = [];
  const clusters = [...input.clusters];
  const stages = stageOf(strategy, clusters);
  let wakeAt: number | undefined;
  const wake = (t: number) => (wakeAt = wakeAt === undefined ? t : Math.min(wakeAt, t));
  const stageName = (i: number) => strategy.stages[i]?.name ?? String(i);

  const prior = input.rollout;
  let r: RolloutRecord;
  const records = new Map<string, ClusterRecord>();
  if (!prior || prior.key !== input.key) {
    // A new rollout (or a newer commit superseding one): every cluster starts Pending, and keeps
    // as "previous" the bundle it was last Healthy on.
    const adopt = !prior && clusters.every((c) => samePlacement(c.assigned, c.wanted));
    for (const c of clusters) {
      const old = prior ? c.record : undefined;
      // Mid-update in the superseded rollout: it keeps where that one would return it. Unless it is
      // Healthy on what it runs: a halted or rolled-back rollout stops updating its records, and one
      // with nowhere to return left clusters Updating that became Healthy on its revision since.
      const midUpdate = old && (old.step === "Updating" || old.step === "Failed" || old.step === "Skipped") && !(c.assigned && observe({ ...c, wanted: c.assigned }) === "healthy");
      const previous = midUpdate ? old.previous : c.assigned;
      records.set(c.name, { step: adopt ? "Healthy" : "Pending", stage: stages.get(c.name) ?? 0, message: "", ...(previous ? { previous } : {}) });
    }
    // From what the clusters return to on rollback (most of them): a rollback with nowhere to return
    // leaves them on its own revision, which the superseded rollout's from does not name.
    const from = mostCommon([...records.values()].flatMap((rec) => (rec.previous ? [rec.previous.revision] : []))) ?? (prior?.state === "Completed" ? prior.to : (prior?.from ?? ""));
    r = { key: input.key, from, to: input.to, state: adopt ? "Completed" : "Progressing", stage: 0, approvedStage: -1, reason: "", startedAt: now };
    if (!adopt) events.push({ kind: "started" });
  } else {
    r = { ...prior };
    for (const c of clusters) records.set(c.name, { ...(c.record ?? { step: "Pending", message: "", ...(c.assigned ? { previous: c.assigned } : {}) }), stage: stages.get(c.name) ?? 0 });
  }

  const assign = new Map<string, Placement | undefined>();
  const set = (c: ClusterView, step: Step, message: string, extra: Partial<ClusterRecord> = {}) => {
    const rec = records.get(c.name)!;
    if (rec.step !== step) events.push({ kind: "cluster", cluster: c.name, was: rec.step, step, stage: stageName(rec.stage), message });
    records.set(c.name, { ...rec, ...extra, step, message });
  };
  const live = ACTIVE_STATES.includes(r.state) || r.state === "Completed";

  // 1. Observe: what each cluster's agent says about the bundle it has.
  for (const c of clusters) {
    const rec = records.get(c.name)!;
    if (!live || rec.step === "RolledBack") {
      assign.set(c.name, c.assigned);
      continue;
    }
    if (!samePlacement(c.assigned, c.wanted)) {
      // Not on the new bundle (or targeting moved it): it waits for its turn.
      if (MOVED.includes(rec.step) || (rec.step === "Skipped" && c.reachable)) set(c, "Pending", "", { startedAt: undefined, finishedAt: undefined, ...(rec.step === "Healthy" && c.assigned ? { previous: c.assigned } : {}) });
      assign.set(c.name, c.assigned);
      continue;
    }
    assign.set(c.name, c.wanted);
    const seen = observe(c);
    if (seen === "healthy") {
      if (rec.step !== "Healthy") set(c, "Healthy", "", { finishedAt: now });
    } else if (rec.step === "Healthy" && (r.state === "Completed" || seen !== "failed")) {
      // Healthy once is enough unless the workload fails during the rollout.
    } else if (!c.reachable) {
      if (rec.step !== "Failed") set(c, "Skipped", "disconnected while updating");
    } else if (seen === "failed") {
      if (rec.step !== "Failed") set(c, "Failed", statusText(c), { finishedAt: now });
    } else if (rec.step !== "Failed") {
      const startedAt = rec.step === "Updating" && rec.startedAt !== undefined ? rec.startedAt : now;
      if (now - startedAt >= strategy.progressDeadlineMs) set(c, "Failed", `not Healthy within ${formatDurationMs(strategy.progressDeadlineMs)}: ${statusText(c)}`, { finishedAt: now });
      else {
        if (rec.step !== "Updating") set(c, "Updating", "", { startedAt });
        wake(startedAt + strategy.progressDeadlineMs);
      }
    }
  }

  // 2. Halt: more failures than allowed stops the rollout; rollback returns every cluster it moved.
  const failed = clusters.filter((c) => records.get(c.name)!.step === "Failed");
  if (ACTIVE_STATES.includes(r.state) && failed.length > strategy.maxFailures) {
    r.reason = failed.map((c) => `${c.name}: ${records.get(c.name)!.message}`).join("; ");
    if (strategy.onFailure === "rollback") {
      r.state = "RolledBack";
      for (const c of clusters) {
        const rec = records.get(c.name)!;
        if (!samePlacement(assign.get(c.name), c.wanted)) continue;
        if (rec.previous && !samePlacement(rec.previous, c.wanted)) {
          set(c, "RolledBack", `returned to ${rec.previous.revision.slice(0, 12)}`);
          assign.set(c.name, rec.previous);
        } else if (rec.step !== "Failed") {
          records.set(c.name, { ...rec, message: "no earlier revision to return to" });
        }
      }
      events.push({ kind: "rolled-back", stage: stageName(r.stage), reason: r.reason });
    } else {
      r.state = "Halted";
      events.push({ kind: "halted", stage: stageName(r.stage), reason: r.reason });
    }
  }

  // 3. Advance: move clusters of the stages reached, within maxUnavailable; pass stages.
  const last = strategy.stages.length - 1;
  for (;;) {
    if (r.state === "Progressing" && strategy.stages[r.stage]?.manual && r.approvedStage < r.stage) {
      r.state = "WaitingApproval";
      events.push({ kind: "waiting-approval", stage: stageName(r.stage) });
    }
    const reached = r.state === "Completed" ? last : r.state === "Progressing" ? r.stage : r.state === "WaitingApproval" ? r.stage - 1 : -1;
    move(reached);
    if (r.state !== "Progressing") break;
    const members = clusters.filter((c) => records.get(c.name)!.stage <= r.stage);
    if (members.some((c) => ["Pending", "Updating"].includes(records.get(c.name)!.step))) {
      delete r.stageDoneAt;
      break;
    }
    r.stageDoneAt ??= now;
    const bake = clusters.some((c) => records.get(c.name)!.stage === r.stage) ? strategy.stages[r.stage]!.bakeMs : 0;
    if (now < r.stageDoneAt + bake) {
      wake(r.stageDoneAt + bake);
      break;
    }
    if (clusters.some((c) => records.get(c.name)!.stage === r.stage)) events.push({ kind: "stage-passed", stage: stageName(r.stage) });
    delete r.stageDoneAt;
    if (r.stage >= last) {
      r.state = "Completed";
      events.push({ kind: "completed" });
      break;
    }
    r.stage++;
  }

  function move(reached: number): void {
    const unavailable = new Map<number, number>();
    const size = new Map<number, number>();
    for (const c of clusters) {
      const rec = records.get(c.name)!;
      size.set(rec.stage, (size.get(rec.stage) ?? 0) + 1);
      if (rec.step === "Updating" || rec.step === "Failed") unavailable.set(rec.stage, (unavailable.get(rec.stage) ?? 0) + 1);
    }
    const waiting = clusters
      .filter((c) => ["Pending", "Skipped"].includes(records.get(c.name)!.step) && !samePlacement(c.assigned, c.wanted))
      .sort((a, b) => records.get(a.name)!.stage - records.get(b.name)!.stage || (a.name < b.name ? -1 : 1));
    for (const c of waiting) {
      const rec = records.get(c.name)!;
      if (rec.stage > reached) continue;
      const limit = limitOf(strategy.stages[rec.stage]!.maxUnavailable, size.get(rec.stage)!);
      if (!c.reachable) set(c, "Skipped", "disconnected: gets the revision when it is back");
      else if (c.blockedBy.length) set(c, "Pending", `waiting for dependsOn ${c.blockedBy.join(", ")} to be Healthy here`);
      else if ((unavailable.get(rec.stage) ?? 0) >= limit) set(c, "Pending", `waiting: ${limit} cluster(s) of stage ${stageName(rec.stage)} may update at once`);
      else {
        set(c, "Updating", "", { startedAt: now });
        unavailable.set(rec.stage, (unavailable.get(rec.stage) ?? 0) + 1);
        assign.set(c.name, c.wanted);
        wake(now + strategy.progressDeadlineMs);
      }
    }
  }

  return { rollout: r, records, assign, events, ...(wakeAt !== undefined ? { wakeAt } : {}) };
}

function mostCommon(values: string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].reduce<[string, number] | undefined>((best, e) => (!best || e[1] > best[1] ? e : best), undefined)?.[0];
}

function observe(c: ClusterView): "healthy" | "failed" | "waiting" {
  const s = c.status;
  if (!s || !reportsDesired(c.wanted, s)) return "waiting";
  if (s.health === "DEGRADED" || s.sync === "FAILED") return "failed";
  return s.health === "HEALTHY" ? "healthy" : "waiting";
}

function statusText(c: ClusterView): string {
  const s = c.status;
  if (!s || s.revision !== c.wanted.revision) return "the agent has not reported the new revision";
  // Same revision, another bundle (substitute, a re-render): the health it reports is the old bundle's.
  if (s.bundleDigest !== c.wanted.bundleDigest) return "the agent has not reported the new bundle";
  const word = (v: string) => v.charAt(0) + v.slice(1).toLowerCase().replace(/_(\w)/g, (_, x: string) => x.toUpperCase());
  return `${word(s.health)}${s.sync === "FAILED" ? ", apply failed" : ""}${s.message ? `: ${s.message}` : ""}`;
}
