import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { MessageInitShape } from "@bufbuild/protobuf";
import {
  RpcError,
  TokenSchema,
  AdminService,
  type ApiHandlers,
  type AppSummarySchema,
  type ClusterAppStatusSchema,
  type Logger,
  type ResourceResultSchema,
  type RolloutSchema,
  type NotifierSummarySchema,
  type AppPlanSchema,
  type ExplainAppResponseSchema,
  type GetAppManifestsResponseSchema,
  type ServiceHandlers,
  type SourceSummarySchema,
  type Token,
} from "@gitfleet/shared";
import { decodeJson, stringMap, type Db } from "../../store/index.js";
import { clusterToProto, deleteCluster, getCluster, labelCluster } from "../../registry/clusters.js";
import { createToken, revokeToken, type TokenRow } from "../../registry/tokens.js";
import { audit, listAudit } from "../../registry/audit.js";
import { bearer, grpcHandlers } from "./handlers.js";
import { authorizeAdmin, createAdminToken, listAdminTokens, parseRole, revokeAdminToken } from "../../registry/admin-roles.js";
import { driftSummary, listDrift, relevant } from "../../drift/query.js";
import { groupDrift } from "../../drift/groups.js";
import { createFleetFeed } from "../../views/fleet.js";
import { FLEET_WATCH_INTERVAL_MS, FLEET_WATCH_LOAD_FACTOR } from "../../config/intervals.js";
import type { Sessions } from "./sessions.js";
import type { CredentialCache } from "../../registry/credential-cache.js";
import type { ChangeFeed } from "../../ha/index.js";

/** The delivery side as the admin API sees it (Sources, Apps, status); `actor` is who the audit log says made a change. */
export interface DeliveryAdmin {
  apply(yaml: string, origin: string, actor: string): Promise<MessageInitShape<typeof ResourceResultSchema>[]>;
  plan(yaml: string, origin: string): Promise<MessageInitShape<typeof AppPlanSchema>[]>;
  deleteResource(kind: "Source" | "App" | "Notifier", name: string, actor: string): Promise<void>;
  listNotifiers(): Promise<MessageInitShape<typeof NotifierSummarySchema>[]>;
  listSources(): Promise<MessageInitShape<typeof SourceSummarySchema>[]>;
  getSource(name: string): Promise<MessageInitShape<typeof SourceSummarySchema>>;
  listApps(): Promise<MessageInitShape<typeof AppSummarySchema>[]>;
  getApp(name: string): Promise<{ app: MessageInitShape<typeof AppSummarySchema>; clusters: MessageInitShape<typeof ClusterAppStatusSchema>[] }>;
  pin(name: string, revision: string, actor: string): Promise<MessageInitShape<typeof AppSummarySchema>>;
  sync(name: string, cluster?: string): Promise<{ clusters: string[]; disconnected: string[] }>;
  getRollout(app: string): Promise<MessageInitShape<typeof RolloutSchema>>;
  updateRollout(app: string, action: string, actor: string): Promise<MessageInitShape<typeof RolloutSchema>>;
  explain(app: string, cluster: string): Promise<MessageInitShape<typeof ExplainAppResponseSchema>>;
  manifests(app: string, cluster: string, revision: string, showSecrets: boolean): Promise<MessageInitShape<typeof GetAppManifestsResponseSchema>>;
  /** Called after an admin change that may alter a cluster's assignments. */
  clusterChanged(cluster: string): Promise<void>;
}

export interface AdminServiceDeps {
  db: Db;
  log: Logger;
  sessions: Sessions;
  adminToken: string;
  delivery: DeliveryAdmin;
  /** Forgets a deleted cluster's credential (GetBundle and Connect read it from here). */
  credentials: Pick<CredentialCache, "forget">;
  /** The other hubs (several on PostgreSQL): told of approvals and deletions of clusters whose streams they hold. */
  feed: ChangeFeed;
}

/** The admin API's handlers, free of any transport: gRPC (CLI) and Connect (dashboard) both serve these. */
export function adminApi(deps: AdminServiceDeps): ApiHandlers<typeof AdminService> {
  const { db, log, sessions } = deps;
  const fleet = createFleetFeed(db, FLEET_WATCH_INTERVAL_MS, FLEET_WATCH_LOAD_FACTOR);
  return {
    createToken: async (req, { actor }) => {
      const { token, row } = await createToken(db, {
        labels: req.labels,
        ttlSeconds: Number(req.ttlSeconds),
        maxUses: req.maxUses,
        description: req.description,
      });
      await audit(db, actor, "token.create", row.id, { labels: req.labels, maxUses: row.maxUses, expiresAt: row.expiresAt });
      return { token, info: tokenToProto(row) };
    },
    createAdminToken: async (req, { actor }) => {
      const { token, id } = await createAdminToken(db, parseRole(req.role), req.description);
      await audit(db, actor, "admin-token.create", id, { role: req.role });
      return { token, id };
    },
    listAdminTokens: async () => ({
      tokens: (await listAdminTokens(db)).map((t) => ({ id: t.id, role: t.role, description: t.description, createdAt: timestampFromDate(t.createdAt) })),
    }),
    revokeAdminToken: async (req, { actor }) => {
      const { role } = await revokeAdminToken(db, req.id);
      await audit(db, actor, "admin-token.revoke", req.id, { role });
      return {};
    },
    listTokens: async () => {
      const rows = await db.token.findMany({ orderBy: { createdAt: "asc" } });
      return { tokens: rows.map(tokenToProto) };
    },
    revokeToken: async (req, { actor }) => {
      await revokeToken(db, req.id);
      await audit(db, actor, "token.revoke", req.id);
      return {};
    },
    listClusters: async () => {
      const rows = await db.cluster.findMany({ orderBy: { name: "asc" } });
      return { clusters: rows.map(clusterToProto) };
    },
    getCluster: async (req) => ({ cluster: clusterToProto(await getCluster(db, req.name)) }),
    labelCluster: async (req, { actor }) => {
      const row = await labelCluster(db, req.name, req.set, req.remove);
      await audit(db, actor, "cluster.label", req.name, { set: req.set, remove: req.remove });
      await deps.delivery.clusterChanged(req.name);
      return { cluster: clusterToProto(row) };
    },
    approveCluster: async (req, { actor }) => {
      const before = await getCluster(db, req.name);
      if (before.approved) return { cluster: clusterToProto(before) };
      const connected = sessions.get(req.name) !== undefined;
      const row = await db.cluster.update({
        where: { name: req.name },
        data: { approved: true, state: connected ? "Connected" : "Disconnected" },
      });
      await audit(db, actor, "cluster.approve", req.name);
      log.info({ cluster: req.name }, "cluster approved");
      sessions.send(req.name, { msg: { case: "welcome", value: { cluster: clusterToProto(row) } } });
      if (connected) await deps.delivery.clusterChanged(req.name);
      else deps.feed.publish({ kind: "approved", names: [req.name] });
      return { cluster: clusterToProto(row) };
    },
    deleteCluster: async (req, { actor }) => {
      await deleteCluster(db, req.name);
      deps.credentials.forget(req.name);
      await audit(db, actor, "cluster.delete", req.name);
      log.info({ cluster: req.name }, "cluster deleted");
      if (sessions.get(req.name)) sessions.close(req.name, clusterDeleted(req.name));
      else deps.feed.publish({ kind: "deleted", names: [req.name] });
      await deps.delivery.clusterChanged(req.name);
      return {};
    },
    applyResources: async (req, { actor }) =>
      req.dryRun ? { plans: await deps.delivery.plan(req.yaml, req.origin || "stdin") } : { results: await deps.delivery.apply(req.yaml, req.origin || "stdin", actor) },
    deleteResource: async (req, { actor }) => {
      if (req.kind !== "Source" && req.kind !== "App" && req.kind !== "Notifier") throw new RpcError("INVALID_ARGUMENT", `kind must be Source, App or Notifier, got "${req.kind}"`);
      await deps.delivery.deleteResource(req.kind, req.name, actor);
      return {};
    },
    listSources: async () => ({ sources: await deps.delivery.listSources() }),
    getSource: async (req) => ({ source: await deps.delivery.getSource(req.name) }),
    listApps: async () => ({ apps: await deps.delivery.listApps() }),
    getApp: async (req) => deps.delivery.getApp(req.name),
    pinApp: async (req, { actor }) => ({ app: await deps.delivery.pin(req.name, req.revision, actor) }),
    syncApp: async (req, { actor }) => {
      const result = await deps.delivery.sync(req.name, req.cluster || undefined);
      await audit(db, actor, "app.sync", req.name, { clusters: result.clusters });
      return result;
    },
    getRollout: async (req) => ({ rollout: await deps.delivery.getRollout(req.app) }),
    updateRollout: async (req, { actor }) => ({ rollout: await deps.delivery.updateRollout(req.app, req.action, actor) }),
    explainApp: async (req) => deps.delivery.explain(req.app, req.cluster),
    getAppManifests: async (req) => deps.delivery.manifests(req.app, req.cluster, req.revision, req.showSecrets),
    listNotifiers: async () => ({ notifiers: await deps.delivery.listNotifiers() }),
    listAuditEvents: (req) => listAudit(db, { app: req.app, cluster: req.cluster, sinceMs: Number(req.sinceSeconds) * 1000, pageSize: req.pageSize, pageToken: req.pageToken }),
    getDriftSummary: async (req) =>
      driftSummary(db, { clusterSelector: req.clusterSelector, cluster: req.cluster, app: req.app, windowMs: Number(req.windowSeconds) * 1000 }),
    listDrift: async (req) => ({
      records: await listDrift(db, { cluster: req.cluster, app: req.app, history: req.history, windowMs: Number(req.windowSeconds) * 1000 }),
    }),
    getDriftGroups: async (req) => {
      const windowMs = Number(req.windowSeconds) * 1000;
      const now = Date.now();
      return groupDrift(await relevant(db, { clusterSelector: req.clusterSelector, app: req.app, windowMs }, now), req.by, windowMs, now);
    },
    watchFleet: (_req, { signal }) => fleet.watch(signal),
  };
}

/** The admin API over gRPC, for the CLI. */
export function createAdminService(deps: AdminServiceDeps, api = adminApi(deps)): ServiceHandlers<typeof AdminService> {
  return grpcHandlers(AdminService, api, deps.log, (md, method) => authorizeAdmin(deps.db, deps.adminToken, bearer(md), method));
}

function tokenToProto(row: TokenRow): Token {
  return create(TokenSchema, {
    id: row.id,
    labels: decodeJson(row.labels, `Token "${row.id}"`, "labels", stringMap),
    expiresAt: timestampFromDate(row.expiresAt),
    maxUses: row.maxUses,
    uses: row.uses,
    revoked: row.revoked,
    createdAt: timestampFromDate(row.createdAt),
    description: row.description,
  });
}

export const clusterDeleted = (name: string) => new RpcError("CLUSTER_DELETED", `cluster "${name}" was deleted from the hub`);
