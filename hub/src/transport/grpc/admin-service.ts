import * as grpc from "@grpc/grpc-js";
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { MessageInitShape } from "@bufbuild/protobuf";
import {
  RpcError,
  TokenSchema,
  type AdminService,
  type AppSummarySchema,
  type ClusterAppStatusSchema,
  type Logger,
  type ResourceResultSchema,
  type ServiceHandlers,
  type SourceSummarySchema,
  type Token,
} from "@gitfleet/shared";
import type { Db } from "../../store/index.js";
import { clusterToProto, deleteCluster, getCluster, labelCluster } from "../../registry/clusters.js";
import { createToken, revokeToken, type TokenRow } from "../../registry/tokens.js";
import { audit } from "../../registry/audit.js";
import { sameSecret } from "../../registry/secrets.js";
import { bearer, unary } from "./handlers.js";
import { driftSummary, listDrift } from "../../drift/query.js";
import type { Sessions } from "./sessions.js";

/** The delivery side as the admin API sees it (Sources, Apps, status). */
export interface DeliveryAdmin {
  apply(yaml: string, origin: string): Promise<MessageInitShape<typeof ResourceResultSchema>[]>;
  deleteResource(kind: "Source" | "App", name: string): Promise<void>;
  listSources(): Promise<MessageInitShape<typeof SourceSummarySchema>[]>;
  getSource(name: string): Promise<MessageInitShape<typeof SourceSummarySchema>>;
  listApps(): Promise<MessageInitShape<typeof AppSummarySchema>[]>;
  getApp(name: string): Promise<{ app: MessageInitShape<typeof AppSummarySchema>; clusters: MessageInitShape<typeof ClusterAppStatusSchema>[] }>;
  pin(name: string, revision: string): Promise<MessageInitShape<typeof AppSummarySchema>>;
  /** Called after an admin change that may alter a cluster's assignments. */
  clusterChanged(cluster: string): Promise<void>;
}

export interface AdminServiceDeps {
  db: Db;
  log: Logger;
  sessions: Sessions;
  adminToken: string;
  delivery: DeliveryAdmin;
}

const ADMIN = "admin";

export function createAdminService(deps: AdminServiceDeps): ServiceHandlers<typeof AdminService> {
  const { db, log, sessions } = deps;
  // Every admin call is authenticated first; the token itself is never logged.
  const admin = <Req, Res>(method: string, fn: (req: Req) => Promise<Res>) =>
    unary<Req, Res>(log, method, async (req, call: grpc.ServerUnaryCall<Req, Res>) => {
      const presented = bearer(call.metadata);
      if (!presented || !sameSecret(presented, deps.adminToken)) {
        throw new RpcError("UNAUTHENTICATED", "admin API needs a valid bearer token (--token, GITFLEET_TOKEN or the hub's DATA_DIR/admin-token)");
      }
      return fn(req);
    });

  return {
    createToken: admin("CreateToken", async (req) => {
      const { token, row } = await createToken(db, {
        labels: req.labels,
        ttlSeconds: Number(req.ttlSeconds),
        maxUses: req.maxUses,
        description: req.description,
      });
      await audit(db, ADMIN, "token.create", row.id, { labels: req.labels, maxUses: row.maxUses, expiresAt: row.expiresAt });
      return { token, info: tokenToProto(row) };
    }),
    listTokens: admin("ListTokens", async () => {
      const rows = await db.token.findMany({ orderBy: { createdAt: "asc" } });
      return { tokens: rows.map(tokenToProto) };
    }),
    revokeToken: admin("RevokeToken", async (req) => {
      await revokeToken(db, req.id);
      await audit(db, ADMIN, "token.revoke", req.id);
      return {};
    }),
    listClusters: admin("ListClusters", async () => {
      const rows = await db.cluster.findMany({ orderBy: { name: "asc" } });
      return { clusters: rows.map(clusterToProto) };
    }),
    getCluster: admin("GetCluster", async (req) => ({ cluster: clusterToProto(await getCluster(db, req.name)) })),
    labelCluster: admin("LabelCluster", async (req) => {
      const row = await labelCluster(db, req.name, req.set, req.remove);
      await audit(db, ADMIN, "cluster.label", req.name, { set: req.set, remove: req.remove });
      await deps.delivery.clusterChanged(req.name);
      return { cluster: clusterToProto(row) };
    }),
    approveCluster: admin("ApproveCluster", async (req) => {
      const before = await getCluster(db, req.name);
      if (before.approved) return { cluster: clusterToProto(before) };
      const connected = sessions.get(req.name) !== undefined;
      const row = await db.cluster.update({
        where: { name: req.name },
        data: { approved: true, state: connected ? "Connected" : "Disconnected" },
      });
      await audit(db, ADMIN, "cluster.approve", req.name);
      log.info({ cluster: req.name }, "cluster approved");
      sessions.send(req.name, { msg: { case: "welcome", value: { cluster: clusterToProto(row) } } });
      if (connected) await deps.delivery.clusterChanged(req.name);
      return { cluster: clusterToProto(row) };
    }),
    deleteCluster: admin("DeleteCluster", async (req) => {
      await deleteCluster(db, req.name);
      await audit(db, ADMIN, "cluster.delete", req.name);
      log.info({ cluster: req.name }, "cluster deleted");
      sessions.close(req.name, new RpcError("CLUSTER_DELETED", `cluster "${req.name}" was deleted from the hub`));
      await deps.delivery.clusterChanged(req.name);
      return {};
    }),
    applyResources: admin("ApplyResources", async (req) => ({ results: await deps.delivery.apply(req.yaml, req.origin || "stdin") })),
    deleteResource: admin("DeleteResource", async (req) => {
      if (req.kind !== "Source" && req.kind !== "App") throw new RpcError("INVALID_ARGUMENT", `kind must be Source or App, got "${req.kind}"`);
      await deps.delivery.deleteResource(req.kind, req.name);
      return {};
    }),
    listSources: admin("ListSources", async () => ({ sources: await deps.delivery.listSources() })),
    getSource: admin("GetSource", async (req) => ({ source: await deps.delivery.getSource(req.name) })),
    listApps: admin("ListApps", async () => ({ apps: await deps.delivery.listApps() })),
    getApp: admin("GetApp", async (req) => deps.delivery.getApp(req.name)),
    pinApp: admin("PinApp", async (req) => ({ app: await deps.delivery.pin(req.name, req.revision) })),
    getDriftSummary: admin("GetDriftSummary", async (req) =>
      driftSummary(db, { clusterSelector: req.clusterSelector, cluster: req.cluster, app: req.app, windowMs: Number(req.windowSeconds) * 1000 }),
    ),
    listDrift: admin("ListDrift", async (req) => ({
      records: await listDrift(db, { cluster: req.cluster, app: req.app, history: req.history, windowMs: Number(req.windowSeconds) * 1000 }),
    })),
  };
}

function tokenToProto(row: TokenRow): Token {
  return create(TokenSchema, {
    id: row.id,
    labels: JSON.parse(row.labels) as Record<string, string>,
    expiresAt: timestampFromDate(row.expiresAt),
    maxUses: row.maxUses,
    uses: row.uses,
    revoked: row.revoked,
    createdAt: timestampFromDate(row.createdAt),
    description: row.description,
  });
}
