import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import * as grpc from "@grpc/grpc-js";
import { AdminService, AgentService, ConnectResponseSchema, DEFAULT_HEARTBEAT_TIMEOUT_MS, HUB_INFO_FILE, KEEPALIVE_OPTIONS, MIN_PING_INTERVAL_MS, serviceDefinition, splitHostPort, type HubInfo, type Logger } from "@gitfleet/shared";
import { lockSingleHub, openCoordination, openStore, type Store } from "./store/index.js";
import { newHubId } from "./ha/index.js";
import { createConnectDecoder } from "./transport/grpc/connect-decoder.js";
import { encodeOnce } from "./transport/grpc/encode-once.js";
import { createSingletonTasks, repeat } from "./ha/singleton.js";
import { disconnectAll, disconnectClusters, disconnectSilent } from "./registry/liveness.js";
import { privateDataDir } from "./config/data-dir.js";
import type { RenderLimits } from "./render/size-limits.js";
import { createAgentService, sweepSessions } from "./transport/grpc/agent-service.js";
import type { AgentEvents } from "./delivery/agent-events.js";
import { createDelivery, type DeliveryDeps } from "./delivery/index.js";
import { warnOfProxy } from "./sources/hosts.js";
import { reportableApps } from "./assign/assignments.js";
import { GRPC_LISTEN_BACKLOG, MAX_DRIFT_EVENTS } from "./config/limits.js";
import { createWebhookRoute, HOOKS_PREFIX } from "./transport/http/webhooks/index.js";
import { pruneDrift, recordDrift } from "./drift/record.js";
import { adminApi, clusterDeleted, createAdminService } from "./transport/grpc/admin-service.js";
import { clusterToProto } from "./registry/clusters.js";
import { createDashboard } from "./transport/http/dashboard.js";
import { authorizeAdmin } from "./registry/admin-roles.js";
import { Sessions } from "./transport/grpc/sessions.js";
import { createCredentialCache } from "./registry/credential-cache.js";
import { createHttpServer, type Route } from "./transport/http/server.js";
import { instrumentUnary } from "./transport/grpc/instrument.js";
import { listenGrpc } from "./transport/grpc/listen.js";
import { createMetrics, registerScrapeMetrics } from "./metrics/index.js";
import { ensureAdminToken } from "./registry/admin-token.js";
import { createRetention } from "./retention/index.js";
import { DEFAULT_KEEP_REVISIONS, DEFAULT_RETENTION_INTERVAL_MS, RETENTION_GRACE_MS, DEFAULT_DRIFT_RETENTION_MS, DRIFT_PRUNE_INTERVAL_MS, HEARTBEAT_INTERVAL_S, LEASE_RENEW_MS, LEASE_TTL_MS, HUB_KEEPALIVE_TIME_MS } from "./config/intervals.js";

export interface HubOptions {
  dataDir: string;
  databaseUrl?: string;
  /** PostgreSQL: connections in this hub's pool. */
  databasePoolSize?: number;
  listen: string;
  httpListen: string;
  approvalRequired: boolean;
  heartbeatTimeoutMs?: number;
  /** Drift history older than this is dropped (open drift is kept). */
  driftRetentionMs?: number;
  /** Old renders, bundles and trees are removed this often (0: never), keeping this many recent revisions per Source besides those in use. */
  retention?: { intervalMs?: number; keepRevisions?: number };
  /** A Git repo of the hub's own Source and App definitions (GitOps for the hub). */
  configSource?: DeliveryDeps["configSource"];
  tls?: { certFile: string; keyFile: string };
  renderLimits?: RenderLimits;
  helmBin?: string;
  /** The hosts Sources may fetch from (--source-hosts); any when not given. */
  sourceHosts?: string[];
  log: Logger;
}

export interface Hub {
  grpcAddress: string;
  httpAddress: string;
  store: Store;
  /** This hub process among the hubs sharing its database. */
  hubId: string;
  /** True while this hub holds the singleton lease (always, on SQLite). */
  isLeader(): boolean;
  close(): Promise<void>;
}

/** The composition root: store, sessions, gRPC services and HTTP wired together. */
export async function startHub(opts: HubOptions): Promise<Hub> {
  const { log } = opts;
  await privateDataDir(opts.dataDir);
  // SQLite: one hub per database file; a second one stops here, naming the first.
  const lock = lockSingleHub(opts.dataDir, opts.databaseUrl);
  const store = await openStore({ dataDir: opts.dataDir, databaseUrl: opts.databaseUrl, poolSize: opts.databasePoolSize, logger: log }).catch((err: unknown) => {
    lock?.release();
    throw err;
  });
  const { db } = store;
  const admin = await ensureAdminToken(opts.dataDir);
  if (admin.created) log.info({ path: admin.path }, "created admin token; the CLI reads it from this file");
  warnOfProxy(log, opts.sourceHosts);
  const hubId = newHubId();
  const coordination = await openCoordination(store, hubId, log, { ttlMs: LEASE_TTL_MS, renewMs: LEASE_RENEW_MS });
  const { leadership } = coordination;

  const timeoutMs = opts.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS;
  // No stream survives a hub restart. One hub: whatever was Connected is not any more. Several: the
  // streams of a hub that died are those not heard from for the heartbeat timeout (the leader's sweep).
  if (!coordination.shared) await disconnectAll(db);

  const sessions = new Sessions();
  const metrics = createMetrics();
  const delivery = createDelivery({ db, log, dataDir: opts.dataDir, sessions, configSource: opts.configSource, metrics, heartbeatTimeoutMs: timeoutMs, coordination, ...(opts.renderLimits ? { renderLimits: opts.renderLimits } : {}), ...(opts.helmBin ? { helmBin: opts.helmBin } : {}), ...(opts.sourceHosts ? { sourceHosts: opts.sourceHosts } : {}) });
  registerScrapeMetrics(metrics, {
    clustersByState: async () => Object.fromEntries((await db.cluster.groupBy({ by: ["state"], _count: { _all: true } })).map((b) => [b.state, b._count._all])),
    agentStreams: () => sessions.size,
    renders: () => delivery.stats.renders,
    pushes: () => delivery.stats.pushes,
    leader: () => leadership.isLeader(),
  });
  // Drift reports are stored here, only for Apps the cluster may report on; everything else an agent says goes to delivery.
  const events: AgentEvents = {
    ...delivery.events,
    drift: async (cluster, report) => {
      const apps = await reportableApps({ db }, cluster);
      const events = report.events.filter((e) => apps.has(e.app)).slice(0, MAX_DRIFT_EVENTS);
      const started = await recordDrift(db, cluster, { ...report, events, apps: report.apps.filter((a) => apps.has(a)) });
      delivery.notify(started.map((d) => ({ event: "drift.detected", app: d.app, cluster, reason: `${d.object} differs from Git` })));
    },
  };
  // No channelz: it keeps trace and call-count objects per connection (10,000 agents) that nothing here reads.
  const server = new grpc.Server({ ...KEEPALIVE_OPTIONS, "grpc.keepalive_time_ms": HUB_KEEPALIVE_TIME_MS, "grpc.http2.min_ping_interval_without_data_ms": MIN_PING_INTERVAL_MS, "grpc.enable_channelz": 0 });
  const addService = (def: grpc.ServiceDefinition, impl: unknown) => server.addService(def, instrumentUnary(def, impl as grpc.UntypedServiceImplementation, metrics.grpcSeconds));
  const credentials = createCredentialCache(db);
  // A cluster deleted (or changed) through another hub: read its credential again here.
  const unsubscribeCredentials = coordination.feed.subscribe((change) => {
    if (change.kind === "cluster" || change.kind === "deleted") change.names.forEach(credentials.forget);
  });
  const agentService = serviceDefinition(AgentService);
  // Status reports' per-object results shared, not decoded again per agent (connect-decoder.ts);
  // an AssignmentSet pushed to thousands of streams encoded once (encode-once.ts).
  const connect = { ...agentService.connect!, requestDeserialize: createConnectDecoder(), responseSerialize: encodeOnce(ConnectResponseSchema) as (v: unknown) => Buffer };
  addService({ ...agentService, connect }, createAgentService({ hubId, db, log, sessions, approvalRequired: opts.approvalRequired, heartbeatIntervalS: HEARTBEAT_INTERVAL_S, events, bundles: delivery, credentials }));
  const adminDeps = { db, log, sessions, adminToken: admin.token, delivery, feed: coordination.feed, credentials };
  // What another hub did to a cluster whose stream this one holds.
  coordination.feed.subscribe((change) => {
    for (const name of change.names) {
      if (!sessions.get(name)) continue;
      if (change.kind === "deleted") sessions.close(name, clusterDeleted(name));
      if (change.kind === "approved") {
        void db.cluster.update({ where: { name }, data: { state: "Connected", hub: hubId } }).then(async (row) => {
          sessions.send(name, { msg: { case: "welcome", value: { cluster: clusterToProto(row) } } });
          await delivery.clusterChanged(name);
        }).catch((err: unknown) => log.error({ cluster: name, err }, "approving a cluster connected here failed"));
      }
    }
  });
  // One admin API for both transports (the CLI's gRPC, the dashboard's Connect).
  const api = adminApi(adminDeps);
  addService(serviceDefinition(AdminService), createAdminService(adminDeps, api));
  const creds = opts.tls
    ? grpc.ServerCredentials.createSsl(null, [{ cert_chain: await readFile(opts.tls.certFile), private_key: await readFile(opts.tls.keyFile) }], false)
    : grpc.ServerCredentials.createInsecure();
  const { host, port } = splitHostPort(opts.listen, "--listen");
  const listener = await listenGrpc(server, host, port, creds, GRPC_LISTEN_BACKLOG).catch((err: Error) => {
    throw new Error(`cannot listen on ${opts.listen}: ${err.message}`);
  });
  const grpcPort = listener.port;

  const routes = new Map<string, Route>([[HOOKS_PREFIX, createWebhookRoute({ log, secretOf: delivery.webhookSecret, trigger: delivery.trigger })]]);
  const dashboard = createDashboard(api, (token, method) => authorizeAdmin(db, admin.token, token, method), log);
  const http = createHttpServer({ db, log, routes, metrics: metrics.registry, dashboard });
  const httpHp = splitHostPort(opts.httpListen, "--http-listen");
  await new Promise<void>((resolve, reject) => {
    http.once("error", (err) => reject(new Error(`cannot listen on ${opts.httpListen}: ${err.message}`)));
    http.listen(httpHp.port, httpHp.host, resolve);
  });
  const httpPort = (http.address() as AddressInfo).port;

  const sweepMs = Math.max(250, Math.min(timeoutMs / 4, 5_000));
  // This hub's own streams: every hub sweeps them.
  const sweeper = repeat(log, "session-sweep", sweepMs, () => sweepSessions({ db, log, sessions, hubId }, timeoutMs));
  sweeper.start();
  // Work that must happen once per database (README "Several hubs"): started and stopped with the lease.
  const singletons = createSingletonTasks(leadership, log);
  // Clusters whose hub died: nobody else marks them.
  if (coordination.shared) singletons.every("silent-hubs", sweepMs, () => disconnectSilent(db, timeoutMs));
  const driftRetentionMs = opts.driftRetentionMs ?? DEFAULT_DRIFT_RETENTION_MS;
  singletons.every("drift-prune", DRIFT_PRUNE_INTERVAL_MS, () => pruneDrift(db, driftRetentionMs));
  // The retention task (README "Retention"): the database part only on the lease holder, this
  // hub's own checked-out trees on every hub.
  const retention = createRetention({ db, log, dataDir: opts.dataDir }, { keepRevisions: opts.retention?.keepRevisions ?? DEFAULT_KEEP_REVISIONS, graceMs: RETENTION_GRACE_MS });
  const retentionMs = opts.retention?.intervalMs ?? DEFAULT_RETENTION_INTERVAL_MS;
  const treePruner = retentionMs > 0 ? repeat(log, "tree-retention", retentionMs, () => retention.pruneTrees()) : undefined;
  treePruner?.start();
  if (retentionMs > 0) singletons.every("retention", retentionMs, () => retention.pruneStore());
  delivery.start();

  const grpcAddress = `${host}:${grpcPort}`;
  const httpAddress = `${httpHp.host}:${httpPort}`;
  const info: HubInfo = { grpc: grpcAddress, http: httpAddress, tls: Boolean(opts.tls), pid: process.pid };
  await writeFile(join(opts.dataDir, HUB_INFO_FILE), JSON.stringify(info) + "\n");
  log.info({ grpc: grpcAddress, http: httpAddress, database: store.provider, approvalRequired: opts.approvalRequired, hub: hubId, leader: leadership.isLeader() }, "hub listening");

  return {
    grpcAddress,
    httpAddress,
    store,
    hubId,
    isLeader: () => leadership.isLeader(),
    async close() {
      sweeper.stop();
      treePruner?.stop();
      await Promise.all([singletons.close(), sweeper.idle(), treePruner?.idle()]);
      await delivery.stop();
      // Hands the lease over at once (the next hub takes it within a renewal interval).
      unsubscribeCredentials();
      await coordination.close();
      // Open agent streams would keep tryShutdown waiting forever: end them, and mark their clusters
      // Disconnected now rather than when the next hub starts.
      await disconnectClusters(db, sessions.endAll());
      listener.close();
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, SHUTDOWN_GRACE_MS);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        // Dashboard streams stay open until their browser leaves: end them, as the agents' streams.
        http.closeAllConnections();
      });
      await sessions.settle();
      // A database client stuck in a broken transaction must not keep a stopping hub alive.
      const closed = await Promise.race([store.close().then(() => true), new Promise<false>((r) => setTimeout(r, STORE_CLOSE_GRACE_MS, false).unref())]);
      if (!closed) log.warn({ graceMs: STORE_CLOSE_GRACE_MS }, "store did not close in time; stopping anyway");
      lock?.release();
    },
  };
}

/** How long calls in flight (a unary admin call, a bundle download) may take to finish on close. */
const SHUTDOWN_GRACE_MS = 2_000;
const STORE_CLOSE_GRACE_MS = 5_000;

