import { toJson } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { stringify } from "yaml";
import { AppSummarySchema, ClusterAppStatusSchema, HealthState, SourceSummarySchema, SyncState, type AppSummary, type SourceSummary } from "@gitfleet/shared";
import type { AdminConnection } from "./connection.js";
import { ago, printJson, printKeyValues, printTable } from "./output.js";

export const short = (sha: string) => (/^[0-9a-f]{40}$/.test(sha) ? sha.slice(0, 10) : sha) || "-";
const syncName = (s: SyncState) => ({ [SyncState.SYNCED]: "Synced", [SyncState.OUT_OF_SYNC]: "OutOfSync", [SyncState.FAILED]: "Failed" })[s as 1] ?? "Unknown";
export const healthName = (h: HealthState) =>
  ({ [HealthState.HEALTHY]: "Healthy", [HealthState.PROGRESSING]: "Progressing", [HealthState.DEGRADED]: "Degraded", [HealthState.MISSING]: "Missing" })[h as 1] ?? "Unknown";

/** Definitions as they were applied: kubectl-style objects, for `get -o yaml|json`. */
export function definition(kind: "App" | "Source" | "Notifier", name: string, specJson: string) {
  return { apiVersion: "gitfleet.dev/v1", kind, metadata: { name }, spec: JSON.parse(specJson || "{}") as unknown };
}

export async function getResources(conn: AdminConnection, what: string, name: string | undefined, output: string | undefined): Promise<void> {
  const apps = what.startsWith("app");
  const items: (AppSummary | SourceSummary)[] = apps
    ? (await conn.client.listApps({}, { metadata: conn.metadata })).apps
    : (await conn.client.listSources({}, { metadata: conn.metadata })).sources;
  const selected = name ? items.filter((i) => i.name === name) : items;
  if (name && selected.length === 0) throw new Error(`no ${apps ? "app" : "source"} named "${name}"`);
  const defs = selected.map((i) => definition(apps ? "App" : "Source", i.name, i.specJson));
  if (output === "yaml") return void process.stdout.write(defs.map((d) => stringify(d)).join("---\n"));
  if (output === "json") return printJson(name ? defs[0] : { apiVersion: "v1", kind: "List", items: defs });
  return apps ? printAppTable(selected as AppSummary[]) : printSourceTable(selected as SourceSummary[]);
}

function printAppTable(apps: AppSummary[]): void {
  printTable(
    ["NAME", "SOURCE", "PATH", "TARGETS", "REVISION", "CLUSTERS", "SYNCED", "HEALTHY", "ERROR"],
    apps.map((a) => [
      a.name,
      a.source,
      a.path,
      a.targets.map((t) => t.name).join(","),
      short(a.revision) + (a.pinnedRevision ? " (pinned)" : ""),
      String(a.clustersMatched),
      `${a.clustersSynced}/${a.clustersMatched}`,
      `${a.clustersHealthy}/${a.clustersMatched}`,
      a.error ? a.error.split("\n")[0]!.slice(0, 60) : "",
    ]),
  );
}

function printSourceTable(sources: SourceSummary[]): void {
  printTable(
    ["NAME", "URL", "FOLLOW", "REVISION", "FETCHED", "ERROR"],
    sources.map((s) => [s.name, s.url, s.follow, short(s.revision?.sha ?? ""), ago(s.lastFetchedAt && timestampDate(s.lastFetchedAt)), s.error.split("\n")[0] ?? ""]),
  );
}

export async function listApps(conn: AdminConnection, output: string | undefined): Promise<void> {
  const { apps } = await conn.client.listApps({}, { metadata: conn.metadata });
  if (output === "json") return printJson(apps.map((a) => toJson(AppSummarySchema, a)));
  printAppTable(apps);
}

export async function showApp(conn: AdminConnection, name: string, output: string | undefined): Promise<void> {
  const { app, clusters } = await conn.client.getApp({ name }, { metadata: conn.metadata });
  if (output === "json") return printJson({ app: toJson(AppSummarySchema, app!), clusters: clusters.map((c) => toJson(ClusterAppStatusSchema, c)) });
  const a = app!;
  printKeyValues([
    ["Name", a.name],
    ["Source", `${a.source} (path ${a.path})`],
    ["Revision", `${short(a.revision)}${a.pinnedRevision ? ` (pinned to ${short(a.pinnedRevision)})` : ""}`],
    ["Clusters", `${a.clustersMatched} matched, ${a.clustersSynced} synced, ${a.clustersHealthy} healthy`],
    ...(a.error ? ([["Error", `${a.error} (at ${short(a.errorRevision)})`]] as [string, string][]) : []),
  ]);
  console.log("");
  printTable(
    ["TARGET", "SELECTOR", "OVERLAY", "CLUSTERS", "BUNDLE"],
    a.targets.map((t) => [t.name, t.selector, t.overlay || "-", String(t.clusters), t.bundleDigest ? t.bundleDigest.slice(0, 19) : t.error || (t.bundles > 1 ? `${t.bundles} (per cluster)` : "-")]),
  );
  console.log("");
  printTable(
    ["CLUSTER", "TARGET", "DESIRED", "APPLIED", "SYNC", "HEALTH", "MESSAGE"],
    clusters.map((c) => [c.cluster, c.target, short(c.desiredRevision), applied(c), syncName(c.sync), healthName(c.health), objectErrors(c.message, c.objects)]),
  );
}

/** The applied revision; "(old bundle)" when it is the desired one but not yet its current bundle (substitute, a re-render). */
function applied(c: { appliedRevision: string; desiredRevision: string; behind: boolean }): string {
  return short(c.appliedRevision) + (c.behind && c.appliedRevision && c.appliedRevision === c.desiredRevision ? " (old bundle)" : "");
}

/** The status message and each failed object's message once (agents name the object in it; the status often repeats them). */
function objectErrors(message: string, objects: { action: string; message: string }[]): string {
  const failed = objects.filter((o) => o.action === "failed" && !message.includes(o.message)).map((o) => o.message);
  return [message, ...new Set(failed)].filter(Boolean).join("; ");
}

export async function pinApp(conn: AdminConnection, name: string, revision: string): Promise<void> {
  const { app } = await conn.client.pinApp({ name, revision }, { metadata: conn.metadata });
  console.log(revision ? `app/${name} pinned to ${short(app!.pinnedRevision)}` : `app/${name} unpinned; following its source at ${short(app!.revision)}`);
}

export async function syncApp(conn: AdminConnection, name: string, cluster: string | undefined): Promise<void> {
  const res = await conn.client.syncApp({ name, cluster: cluster ?? "" }, { metadata: conn.metadata });
  if (res.clusters.length) console.log(`app/${name}: sync requested on ${res.clusters.join(", ")}`);
  if (res.disconnected.length) console.log(`app/${name}: not connected now (they reconcile when they reconnect): ${res.disconnected.join(", ")}`);
  if (!res.clusters.length && !res.disconnected.length) console.log(`app/${name} is not assigned to any cluster`);
}

export async function listSources(conn: AdminConnection, output: string | undefined): Promise<void> {
  const { sources } = await conn.client.listSources({}, { metadata: conn.metadata });
  if (output === "json") return printJson(sources.map((s) => toJson(SourceSummarySchema, s)));
  printSourceTable(sources);
}

export async function showSource(conn: AdminConnection, name: string, output: string | undefined): Promise<void> {
  const { source } = await conn.client.getSource({ name }, { metadata: conn.metadata });
  const s = source!;
  if (output === "json") return printJson(toJson(SourceSummarySchema, s));
  printKeyValues([
    ["Name", s.name],
    ["URL", s.url],
    ["Follow", s.follow],
    ["Interval", `${s.intervalSeconds}s`],
    ["Revision", s.revision ? `${s.revision.sha} (${s.revision.ref}) by ${s.revision.author}: ${s.revision.message.split("\n")[0]}` : "-"],
    ["Fetched", ago(s.lastFetchedAt && timestampDate(s.lastFetchedAt))],
    ...(s.error ? ([["Error", s.error]] as [string, string][]) : []),
  ]);
  if (s.history.length) {
    console.log("");
    printTable(
      ["REVISION", "REF", "AUTHOR", "COMMITTED", "MESSAGE"],
      s.history.map((r) => [short(r.sha), r.ref, r.author, r.committedAt ? timestampDate(r.committedAt).toISOString() : "-", r.message.split("\n")[0] ?? ""]),
    );
  }
}
