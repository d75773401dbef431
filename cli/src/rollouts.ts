import { toJson } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { AuditRecordSchema, clustersSummary, ExplainAppResponseSchema, RolloutSchema, type AuditRecord, type Rollout } from "@gitfleet/shared";
import { healthName, short } from "./apps.js";
import type { AdminConnection } from "./connection.js";
import { printJson, printKeyValues, printTable } from "./output.js";

/** States a rollout leaves only by a newer commit or an admin action: `--watch` stops there. */
const SETTLED = ["Completed", "RolledBack", "Halted", "Aborted"];
const WATCH_INTERVAL_MS = 1000;

async function getRollout(conn: AdminConnection, app: string): Promise<Rollout> {
  return (await conn.client.getRollout({ app }, { metadata: conn.metadata })).rollout!;
}

export async function rolloutStatus(conn: AdminConnection, app: string, output: string | undefined, watch: boolean): Promise<void> {
  let r = await getRollout(conn, app);
  if (!watch) return output === "json" ? printJson(toJson(RolloutSchema, r)) : printRollout(r);
  // In a terminal the view updates in place; otherwise each change is one line.
  const tty = process.stdout.isTTY && output !== "json";
  let seen = new Map<string, string>();
  for (;;) {
    if (tty) {
      process.stdout.write("\x1b[H\x1b[2J");
      printRollout(r);
    } else seen = printChanges(r, seen, output === "json");
    if (SETTLED.includes(r.state)) return;
    await new Promise((resolve) => setTimeout(resolve, WATCH_INTERVAL_MS));
    r = await getRollout(conn, app);
  }
}

function printChanges(r: Rollout, seen: Map<string, string>, json: boolean): Map<string, string> {
  const now = new Map<string, string>([["", `${r.state} ${r.stage}`]]);
  for (const s of r.stages) for (const c of s.clusters) now.set(c.cluster, `${c.step} ${c.revision}`);
  for (const [k, v] of now) {
    if (seen.get(k) === v) continue;
    if (json) console.log(JSON.stringify(k ? { app: r.app, cluster: k, step: v.split(" ")[0], revision: v.split(" ")[1] } : { app: r.app, state: r.state, stage: r.stage, waitingFor: r.waitingFor, reason: r.reason }));
    else console.log(k ? `${r.app} ${k}: ${v.replace(" ", " at ")}` : `${r.app}: ${r.state} (stage ${r.stage})${r.waitingFor ? `, waiting for ${r.waitingFor}` : ""}${r.reason ? `: ${r.reason}` : ""}`);
  }
  return now;
}

function printRollout(r: Rollout): void {
  printKeyValues([
    ["App", r.app],
    ["Revision", `${short(r.fromRevision)} -> ${short(r.toRevision)}`],
    ["State", `${r.state}${r.stage && r.state !== "Completed" ? ` (stage ${r.stage})` : ""}`],
    ...(r.waitingFor ? ([["Waiting for", r.waitingFor]] as [string, string][]) : []),
    ...(r.reason ? ([["Reason", r.reason]] as [string, string][]) : []),
    ["Started", r.startedAt ? timestampDate(r.startedAt).toISOString() : "-"],
  ]);
  console.log("");
  printTable(
    ["STAGE", "STATE", "MAX-UNAVAILABLE", "BAKE", "APPROVAL", "CLUSTERS"],
    r.stages.map((s) => [s.name, s.state, s.maxUnavailable, s.bakeSeconds ? `${s.bakeSeconds}s` : "-", s.manualApproval ? "manual" : "-", String(s.clusters.length)]),
  );
  console.log("");
  printTable(
    ["STAGE", "CLUSTER", "STEP", "REVISION", "HEALTH", "MESSAGE"],
    r.stages.flatMap((s) => s.clusters.map((c) => [s.name, c.cluster, c.step, short(c.revision), healthName(c.health), c.message])),
  );
}

export async function rolloutAction(conn: AdminConnection, app: string, action: string): Promise<void> {
  const { rollout } = await conn.client.updateRollout({ app, action }, { metadata: conn.metadata });
  console.log(`rollout of ${app} to ${short(rollout!.toRevision)}: ${action} done, now ${rollout!.state}`);
}

export async function explain(conn: AdminConnection, app: string, cluster: string, output: string | undefined): Promise<void> {
  const res = await conn.client.explainApp({ app, cluster }, { metadata: conn.metadata });
  if (output === "json") return printJson(toJson(ExplainAppResponseSchema, res));
  console.log(`app ${app} on cluster ${cluster}: desired ${short(res.desiredRevision)}, assigned ${short(res.assignedRevision)}, applied ${short(res.appliedRevision)}`);
  console.log("targets:");
  for (const t of res.targets) console.log(`  ${t.matched ? "matches" : "no match"}  ${t.target}: ${t.reason}`);
  console.log(res.blockers.length ? "held back by:" : "nothing holds it back");
  for (const b of res.blockers) console.log(`  - ${b}`);
}

export async function manifests(conn: AdminConnection, app: string, cluster: string, revision: string, showSecrets: boolean): Promise<void> {
  const res = await conn.client.getAppManifests({ app, cluster, revision, showSecrets }, { metadata: conn.metadata });
  console.log(`# app ${app}, cluster ${cluster}, target ${res.target}, revision ${res.revision}, bundle ${res.bundleDigest}`);
  process.stdout.write(res.yaml);
}

/** The newest events (limit, or the hub's page size when 0), or with all every page back to the oldest. */
export async function auditLog(conn: AdminConnection, f: { app?: string; cluster?: string; sinceMs: number; limit: number; all: boolean }, output: string | undefined): Promise<void> {
  const events: AuditRecord[] = [];
  let pageToken = "";
  do {
    const page = await conn.client.listAuditEvents({ app: f.app ?? "", cluster: f.cluster ?? "", sinceSeconds: BigInt(Math.round(f.sinceMs / 1000)), pageSize: f.limit, pageToken }, { metadata: conn.metadata });
    events.unshift(...page.events);
    pageToken = page.nextPageToken;
  } while (f.all && pageToken);
  if (pageToken) console.error(`older events not shown: --limit N (up to 5000) or --all`);
  if (output === "json") return printJson(events.map((e) => ({ ...(toJson(AuditRecordSchema, e) as object), detail: JSON.parse(e.detailJson || "{}") as unknown })));
  printTable(
    ["TIME", "ACTOR", "ACTION", "SUBJECT", "DETAIL"],
    events.map((e) => [e.at ? timestampDate(e.at).toISOString() : "-", e.actor, e.action, e.subject, auditDetail(e.action, JSON.parse(e.detailJson || "{}") as Record<string, unknown>)]),
  );
}

/** An event's detail in the audit table: key=value pairs; a group of clusters' transitions summed up after its revisions. */
export function auditDetail(action: string, d: Record<string, unknown>): string {
  const clusters = clustersSummary(action, d);
  return clusters ? `${pairs({ from: d.from, to: d.to })} ${clusters}` : pairs(d);
}

function pairs(d: Record<string, unknown>): string {
  return Object.entries(d)
    .filter(([, v]) => v !== "" && v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === "string" && /^[0-9a-f]{40}$/.test(v) ? v.slice(0, 10) : typeof v === "object" ? JSON.stringify(v) : String(v)}`)
    .join(" ");
}
