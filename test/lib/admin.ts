import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { toJson } from "@bufbuild/protobuf";
import { AdminService, AppSummarySchema, AuditRecordSchema, ClusterAppStatusSchema, createClient, DriftRecordSchema, RolloutSchema, SourceSummarySchema, type ServiceClient } from "@gitfleet/shared";
import { atFileEnd } from "./cleanup.js";

/** What a test needs to reach a hub: its data dir (hub.json, admin-token) and, for TLS, the CA. */
export interface HubRef {
  dataDir: string;
  caFile?: string;
}

export interface Admin {
  api: ServiceClient<typeof AdminService>;
  metadata: grpc.Metadata;
}

const clients = new Map<string, Admin>();

/**
 * An AdminService client inside the test process, for polling: a poll through the CLI starts a
 * Node process each time, which on a loaded 2-core machine is what makes suites slow and flaky.
 * Reads the hub's address on every call, so a hub restarted on other ports is found.
 */
export function admin(hub: HubRef): Admin {
  const { grpc: address } = JSON.parse(readFileSync(join(hub.dataDir, "hub.json"), "utf8")) as { grpc: string };
  const token = readFileSync(join(hub.dataDir, "admin-token"), "utf8").trim();
  const key = `${address} ${hub.caFile ?? ""} ${token}`;
  let client = clients.get(key);
  if (!client) {
    const creds = hub.caFile ? grpc.credentials.createSsl(readFileSync(hub.caFile)) : grpc.credentials.createInsecure();
    const metadata = new grpc.Metadata();
    metadata.set("authorization", `Bearer ${token}`);
    client = { api: createClient(AdminService, address, creds), metadata };
    clients.set(key, client);
    const made = client;
    atFileEnd(() => {
      made.api.close();
      clients.delete(key);
    });
  }
  return client;
}

const call = { deadlineMs: 30_000 };

/** `gitfleet app list -o json`, read in the test process. */
export async function listApps(hub: HubRef): Promise<AppJson[]> {
  const { api, metadata } = admin(hub);
  return (await api.listApps({}, { ...call, metadata })).apps.map((a) => toJson(AppSummarySchema, a) as unknown as AppJson);
}

/** `gitfleet app show NAME -o json`, read in the test process. */
export async function showApp(hub: HubRef, name: string): Promise<{ app: AppJson; clusters: AppClusterJson[] }> {
  const { api, metadata } = admin(hub);
  const res = await api.getApp({ name }, { ...call, metadata });
  return { app: toJson(AppSummarySchema, res.app!) as unknown as AppJson, clusters: res.clusters.map((c) => toJson(ClusterAppStatusSchema, c) as unknown as AppClusterJson) };
}

/** `gitfleet source show NAME -o json`, read in the test process. */
export async function showSource(hub: HubRef, name: string): Promise<SourceJson> {
  const { api, metadata } = admin(hub);
  return toJson(SourceSummarySchema, (await api.getSource({ name }, { ...call, metadata })).source!) as unknown as SourceJson;
}

export interface SourceJson {
  name: string;
  follow?: string;
  revision?: { sha: string };
  lastFetchedAt?: string;
  error?: string;
}

/** `gitfleet drift show ... -o json`, read in the test process. */
export async function listDrift(hub: HubRef, req: { cluster?: string; app?: string; history?: boolean }): Promise<DriftRecordJson[]> {
  const { api, metadata } = admin(hub);
  return (await api.listDrift(req, { ...call, metadata })).records.map((r) => toJson(DriftRecordSchema, r) as unknown as DriftRecordJson);
}

/** `gitfleet rollout status APP -o json`, read in the test process. */
export async function getRollout(hub: HubRef, app: string): Promise<RolloutJson> {
  const { api, metadata } = admin(hub);
  return toJson(RolloutSchema, (await api.getRollout({ app }, { ...call, metadata })).rollout!) as unknown as RolloutJson;
}

/** `gitfleet audit --app APP -o json`, read in the test process: each event's detail parsed. */
export async function listAudit(hub: HubRef, app: string): Promise<AuditJson[]> {
  const { api, metadata } = admin(hub);
  const { events } = await api.listAuditEvents({ app }, { ...call, metadata });
  return events.map((e) => ({ ...(toJson(AuditRecordSchema, e) as unknown as Omit<AuditJson, "detail">), detail: JSON.parse(e.detailJson || "{}") as AuditJson["detail"] }));
}

/** The one line each thing holding an App back on a cluster (`gitfleet explain`), read in the test process. */
export async function explainBlockers(hub: HubRef, app: string, cluster: string): Promise<string[]> {
  const { api, metadata } = admin(hub);
  return (await api.explainApp({ app, cluster }, { ...call, metadata })).blockers;
}

/** Notifiers with their delivery counts (`gitfleet get notifiers`), read in the test process. */
export async function listNotifiers(hub: HubRef): Promise<{ name: string; delivered: number; failed: number; lastError: string }[]> {
  const { api, metadata } = admin(hub);
  return (await api.listNotifiers({}, { ...call, metadata })).notifiers;
}

/** Bootstrap tokens and their use counts (`gitfleet token list`), read in the test process. */
export async function listTokens(hub: HubRef): Promise<{ id: string; uses: number; maxUses: number }[]> {
  const { api, metadata } = admin(hub);
  return (await api.listTokens({}, { ...call, metadata })).tokens;
}

export interface RolloutJson {
  state: string;
  stage?: string;
  fromRevision?: string;
  toRevision?: string;
  waitingFor?: string;
  reason?: string;
  stages: { name: string; clusters: { cluster: string; step: string; revision?: string }[] }[];
}

export interface AuditJson {
  id: string;
  action: string;
  subject: string;
  actor: string;
  detail: { to?: string; clusters?: string[]; step?: string; was?: string; stage?: string; reason?: string };
}

/** The cluster transitions in audit events, one per cluster, in the order the hub recorded them (a rollout.clusters row names a group's clusters). */
export function clusterTransitions<E extends { action: string; detail: { clusters?: string[] } }>(events: E[]): (E & { detail: E["detail"] & { cluster: string } })[] {
  return events.flatMap((e) => (e.action === "rollout.clusters" ? (e.detail.clusters ?? []).map((cluster) => ({ ...e, detail: { ...e.detail, cluster } })) : []));
}

export interface AppJson {
  name: string;
  revision?: string;
  error?: string;
  errorRevision?: string;
  clustersMatched?: number;
  clustersSynced?: number;
  clustersHealthy?: number;
}

export interface AppClusterJson {
  cluster: string;
  target?: string;
  desiredRevision?: string;
  desiredDigest?: string;
  appliedRevision?: string;
  appliedDigest?: string;
  behind?: boolean;
  sync?: string;
  health?: string;
  message?: string;
  objects?: { action?: string; message?: string; ref?: { kind: string; name: string; namespace?: string } }[];
}

export interface DriftRecordJson {
  cluster: string;
  active?: boolean;
  event: {
    app: string;
    ref: { kind: string; name: string };
    fields?: { path: string; desired?: string; live?: string }[];
    manager?: string;
    deleted?: boolean;
    firstSeen?: string;
    healedAt?: string;
  };
}
