import { type ExplainAppResponseSchema } from "@gitfleet/shared";
import type { Init } from "../delivery/context.js";
import { effectiveLabels } from "../registry/clusters.js";
import type { ClusterRecord, RolloutRecord } from "../rollout/model.js";
import { toClusterRecord, toRecord } from "../rollout/rows.js";
import { resolveStrategy } from "../rollout/strategy.js";
import { createAppRepository, type Db } from "../store/index.js";
import { explainSelector } from "../targeting/explain.js";
import { HubError } from "../errors.js";

/** What explain knows about one App on one cluster, as plain data. */
export interface ExplainFacts {
  app: string;
  cluster: string;
  clusterState: string;
  approved: boolean;
  matchedTarget?: string;
  source: { name: string; fetched: boolean; error?: string };
  appError?: { revision: string; error: string };
  pinned?: string;
  desired?: string;
  assigned?: string;
  status?: { revision: string; sync: string; health: string; message: string };
  rollout?: RolloutRecord;
  record?: ClusterRecord;
  stageNames: string[];
  deps: { app: string; health?: string }[];
}

// Commit SHAs are cut; chart revisions (VERSION@sha256:DIGEST12) are short already.
const short = (sha: string | undefined) => (/^[0-9a-f]{40}$/.test(sha ?? "") ? sha!.slice(0, 12) : (sha ?? ""));
const word = (v: string) => v.charAt(0) + v.slice(1).toLowerCase().replace(/_(\w)/g, (_, x: string) => x.toUpperCase());

/** One plain line per thing holding the App back on the cluster; none when it runs the desired revision Healthy. */
export function blockers(f: ExplainFacts): string[] {
  const out: string[] = [];
  if (!f.approved) out.push(`cluster ${f.cluster} is Pending approval: nothing is delivered to it until \`gitfleet cluster approve ${f.cluster}\``);
  else if (f.clusterState !== "Connected") out.push(`cluster ${f.cluster} is ${f.clusterState}: it gets its assignments when its agent connects again`);
  if (!f.matchedTarget) out.push(`no target of app ${f.app} selects cluster ${f.cluster}`);
  if (f.source.error) out.push(`source ${f.source.name} fails to fetch: ${f.source.error.split("\n")[0]}`);
  else if (!f.source.fetched) out.push(`source ${f.source.name} has not been fetched yet`);
  if (f.appError) out.push(`revision ${short(f.appError.revision)} does not render, clusters keep ${f.desired ? short(f.desired) : "nothing"}: ${f.appError.error.split("\n")[0]}`);
  if (f.pinned) out.push(`app ${f.app} is pinned to ${short(f.pinned)}: newer commits wait for \`gitfleet app unpin ${f.app}\``);
  for (const d of f.deps) if (d.health !== "HEALTHY") out.push(`dependsOn ${d.app} is ${d.health ? word(d.health) : "not deployed"} on ${f.cluster}, not Healthy`);
  if (f.matchedTarget && f.approved) out.push(...rolloutBlockers(f));
  return out;
}

function rolloutBlockers(f: ExplainFacts): string[] {
  const r = f.rollout;
  const rec = f.record;
  if (!r || !rec) return f.desired ? [] : [`app ${f.app} has no revision to deliver yet`];
  const stage = f.stageNames[rec.stage] ?? String(rec.stage);
  const onNew = f.assigned === r.to;
  switch (r.state) {
    case "Paused":
      if (!onNew) return [`the rollout of ${short(r.to)} is Paused: \`gitfleet rollout resume ${f.app}\``];
      break;
    case "Halted":
    case "RolledBack":
    case "Aborted":
      if (!onNew || rec.step === "RolledBack") return [`the rollout of ${short(r.to)} is ${r.state}${r.reason ? ` (${r.reason})` : ""}: this cluster stays on ${short(f.assigned)} until a newer commit or \`gitfleet rollout retry ${f.app}\``];
      break;
    case "WaitingApproval":
      if (!onNew && rec.stage >= r.stage) return [`the rollout waits for approval of stage ${f.stageNames[r.stage]} (this cluster is in stage ${stage}): \`gitfleet rollout promote ${f.app}\``];
      break;
    case "Progressing":
      if (!onNew && rec.stage > r.stage) return [`the rollout has not reached stage ${stage} of this cluster yet (it is in stage ${f.stageNames[r.stage]})`];
      break;
  }
  switch (rec.step) {
    case "Pending":
      return [`waiting for its turn in the rollout${rec.message ? `: ${rec.message}` : ""}`];
    case "Skipped":
      return [`skipped by the rollout: ${rec.message}`];
    case "Updating":
      return [`updating to ${short(r.to)}: waiting for the agent to report it Healthy${f.status?.revision === r.to ? ` (now ${word(f.status.health)}${f.status.message ? `: ${f.status.message}` : ""})` : ""}`];
    case "Failed":
      return [`failed in the rollout of ${short(r.to)}: ${rec.message}`];
    default:
      return f.status && f.status.revision === f.assigned && f.status.health !== "HEALTHY" ? [`the agent reports it ${word(f.status.health)}${f.status.message ? `: ${f.status.message}` : ""}`] : [];
  }
}

/** Loads the facts for `gitfleet explain APP --cluster C` and explains them. */
export async function explainApp(db: Db, app: string, cluster: string): Promise<Init<typeof ExplainAppResponseSchema>> {
  const [appRow, clusterRow] = await Promise.all([createAppRepository(db).get(app), db.cluster.findUnique({ where: { name: cluster } })]);
  if (!appRow) throw new HubError("NOT_FOUND", `no app named "${app}" (see \`gitfleet app list\`)`);
  if (!clusterRow) throw new HubError("NOT_FOUND", `no cluster named "${cluster}" (see \`gitfleet cluster list\`)`);
  const { spec } = appRow;
  const facts = { name: cluster, labels: effectiveLabels(clusterRow) };
  const targets = spec.targets.map((t) => ({ target: t.name, ...explainSelector(t, facts) }));
  const first = targets.find((t) => t.matched);
  for (const t of targets) if (t.matched && t !== first) t.reason += ` (but target ${first!.target} comes first: a cluster takes one target per app)`;
  const key = { clusterName_app: { clusterName: cluster, app } };
  const [source, assignment, status, rollout, record, deps] = await Promise.all([
    db.source.findUnique({ where: { name: spec.source } }),
    db.assignment.findUnique({ where: key }),
    db.appStatus.findUnique({ where: key }),
    db.rollout.findUnique({ where: { app } }),
    db.rolloutCluster.findUnique({ where: { app_clusterName: { app, clusterName: cluster } } }),
    db.appStatus.findMany({ where: { clusterName: cluster, app: { in: spec.dependsOn } }, select: { app: true, health: true } }),
  ]);
  const lines = blockers({
    app, cluster, clusterState: clusterRow.state, approved: clusterRow.approved,
    ...(first ? { matchedTarget: first.target } : {}),
    source: { name: spec.source, fetched: Boolean(source?.lastRevision), ...(source?.lastError ? { error: source.lastError } : {}) },
    ...(appRow.lastError && appRow.lastErrorRevision ? { appError: { revision: appRow.lastErrorRevision, error: appRow.lastError } } : {}),
    ...(appRow.pinnedRevision ? { pinned: appRow.pinnedRevision } : {}),
    ...(appRow.revision ? { desired: appRow.revision } : {}),
    ...(assignment ? { assigned: assignment.revision } : {}),
    ...(status ? { status } : {}),
    ...(rollout ? { rollout: toRecord(rollout) } : {}),
    ...(record ? { record: toClusterRecord(record) } : {}),
    stageNames: resolveStrategy(spec.rollout).stages.map((s) => s.name),
    deps: spec.dependsOn.map((d) => ({ app: d, ...(deps.find((x) => x.app === d) ? { health: deps.find((x) => x.app === d)!.health } : {}) })),
  });
  return { app, cluster, targets, blockers: lines, desiredRevision: appRow.revision ?? "", assignedRevision: assignment?.revision ?? "", appliedRevision: status?.revision ?? "" };
}
