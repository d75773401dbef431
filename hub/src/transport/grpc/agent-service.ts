import { RpcError, type AgentService, type ConnectRequest, type Logger, type ServiceHandlers } from "@gitfleet/shared";
import type { Db } from "../../store/index.js";
import { createBatcher, fulfilled } from "../../store/batch.js";
import { inChunks } from "../../store/chunks.js";
import { clusterToProto, markConnected, registerClusters, type ClusterRow, type Registration } from "../../registry/clusters.js";
import type { ClusterIdentity, CredentialCache } from "../../registry/credential-cache.js";
import { bearer, toServiceError, unary } from "./handlers.js";
import type { Session, Sessions } from "./sessions.js";
import { createAdmission, type Admission } from "./admission.js";
import { MAX_CONNECTS_IN_FLIGHT, MAX_REGISTRATIONS_IN_FLIGHT } from "../../config/limits.js";
import { BUSY_RETRY_AFTER_MS, WAVE_BATCH_SPACING_MS } from "../../config/intervals.js";
import { disconnectClusters } from "../../registry/liveness.js";
import type { AgentEvents, BundleSource } from "../../delivery/agent-events.js";


export interface AgentServiceDeps {
  /** This hub process: the Cluster rows of the streams it holds say so, and only it marks them Disconnected. */
  hubId: string;
  db: Db;
  log: Logger;
  sessions: Sessions;
  approvalRequired: boolean;
  heartbeatIntervalS: number;
  events: AgentEvents;
  bundles: BundleSource;
  credentials: CredentialCache;
}

const CHUNK = 256 * 1024;

export function createAgentService(deps: AgentServiceDeps): ServiceHandlers<typeof AgentService> {
  const { db, log } = deps;
  // A registration wave costs a few statements per batch, not per agent (registerClusters, markConnected).
  const wave = { spacingMs: WAVE_BATCH_SPACING_MS };
  const registrations = createBatcher((regs: Registration[]) => registerClusters(db, regs, deps.approvalRequired), wave);
  const connecting = createBatcher(async (clusters: ClusterIdentity[]) => (await markConnected(db, deps.hubId, clusters)).map(fulfilled), wave);
  // Streams that end together (a network partition, a fleet stopping) are marked Disconnected together.
  const disconnecting = createBatcher(markEnded(deps), wave);
  const connectDeps = { ...deps, markConnected: connecting.add, markDisconnected: disconnecting.add };
  const admitRegister = admitter(log, "Register", createAdmission("registrations", MAX_REGISTRATIONS_IN_FLIGHT, BUSY_RETRY_AFTER_MS));
  const admitConnect = admitter(log, "Connect", createAdmission("stream openings", MAX_CONNECTS_IN_FLIGHT, BUSY_RETRY_AFTER_MS));
  return {
    register: unary(log, "Register", async (req) => {
      const slot = admitRegister();
      const { credential, row } = await registrations.add({ token: req.token, name: req.name, labels: req.labels, agentVersion: req.agentVersion, kubernetesVersion: req.kubernetesVersion }).finally(slot.release);
      // A retried registration rotates the credential: the old one must stop working at once.
      deps.credentials.issued(credential, { name: row.name, approved: row.approved });
      log.info({ cluster: row.name, tokenId: row.tokenId, state: row.state }, "cluster registered");
      return { credential, cluster: clusterToProto(row) };
    }),

    connect: (call) => {
      const fail = (err: unknown) => call.emit("error", toServiceError(log, "Connect", err));
      try {
        const slot = admitConnect();
        void connect(connectDeps, call, slot.release).finally(slot.release).catch(fail);
      } catch (err) {
        fail(err);
      }
    },

    getBundle: (call) => {
      void (async () => {
        const who = await deps.credentials.authenticate(bearer(call.metadata) ?? "");
        if (!who.approved) throw new RpcError("CLUSTER_PENDING", `cluster "${who.name}" is waiting for approval: it gets no bundles until \`gitfleet cluster approve ${who.name}\``);
        const bundle = await deps.bundles.bundleFor(who.name, call.request.digest);
        // Unknown and not-assigned-to-you look the same, so other clusters' digests are not confirmed.
        if (bundle === undefined) throw new RpcError("NOT_FOUND", `no bundle with digest ${call.request.digest} is assigned to cluster "${who.name}"`);
        // Compressed once per digest (served-bundles.ts); agents that predate accept_gzip get the text.
        const gzip = call.request.acceptGzip;
        const bytes = gzip ? bundle.gzip : bundle.raw;
        for (let off = 0; off < bytes.length || off === 0; off += CHUNK) {
          call.write({ chunk: bytes.subarray(off, off + CHUNK), gzip });
          if (bytes.length === 0) break;
        }
        call.end();
      })().catch((err: unknown) => call.emit("error", toServiceError(log, "GetBundle", err)));
    },
  };
}

/** Admits a call or throws the UNAVAILABLE answer; logs the first call shed and every 1000th after. */
function admitter(log: Logger, method: string, admission: Admission): () => { release(): void } {
  return () => {
    const r = admission.admit();
    if ("release" in r) return r;
    if (admission.shed % 1000 === 1) log.warn({ method, inFlight: admission.inFlight, shed: admission.shed }, "hub busy: calls answered UNAVAILABLE with a retry hint");
    throw r.error;
  };
}

type ConnectCall = Parameters<ServiceHandlers<typeof AgentService>["connect"]>[0];

/** `opened` is called once the Welcome is written: the stream is up, delivering to it is the lane's work. */
type ConnectDeps = AgentServiceDeps & { markConnected(c: ClusterIdentity): Promise<ClusterRow | undefined>; markDisconnected(cluster: string): Promise<void> };

async function connect(deps: ConnectDeps, call: ConnectCall, opened: () => void): Promise<void> {
  const { log, sessions } = deps;
  const who = await deps.credentials.authenticate(bearer(call.metadata) ?? "");
  const cluster = who.name;
  const session = sessions.open(cluster, call);
  const updated = await deps.markConnected({ name: cluster, approved: who.approved });
  if (!updated) {
    // Deleted by another hub since this one cached the credential: read it again for the reason.
    sessions.release(session);
    deps.credentials.forget(cluster);
    await deps.credentials.authenticate(bearer(call.metadata) ?? "");
    throw new RpcError("UNAVAILABLE", `cluster "${cluster}" changed while connecting: connect again`);
  }
  log.info({ cluster, state: updated.state }, "agent connected");
  call.write({ msg: { case: "welcome", value: { cluster: clusterToProto(updated), heartbeatIntervalSeconds: deps.heartbeatIntervalS } } });
  opened();

  // Only what messages need stays with the stream (not the whole row, times 10,000 streams).
  const known = { name: cluster, agentVersion: updated.agentVersion, kubernetesVersion: updated.kubernetesVersion };
  call.on("data", (req: ConnectRequest) => {
    session.lastSeen = Date.now();
    session.dirty = true;
    // Heartbeats, most of what 10,000 agents at rest send, need nothing more (the sweep writes them).
    if (req.msg.case === "heartbeat") return;
    sessions.track(onMessage(deps, known, req).catch((err: unknown) => log.error({ cluster, err }, "handling agent message failed")));
  });
  const finish = () => sessions.track(disconnect(deps, session).catch((err: unknown) => log.error({ cluster, err }, "marking cluster disconnected failed")));
  call.on("end", () => {
    finish();
    call.end();
  });
  call.on("cancelled", finish);
  call.on("error", finish);
  if (who.approved) await deps.events.connected(cluster);
}

async function onMessage(deps: AgentServiceDeps, row: Pick<ClusterRow, "name" | "agentVersion" | "kubernetesVersion">, req: ConnectRequest): Promise<void> {
  const cluster = row.name;
  switch (req.msg.case) {
    case "hello": {
      const { agentVersion, kubernetesVersion } = req.msg.value;
      // Usually what registration stored: no write.
      if (agentVersion === row.agentVersion && kubernetesVersion === row.kubernetesVersion) return;
      await deps.db.cluster.update({ where: { name: cluster }, data: { agentVersion, kubernetesVersion } });
      return;
    }
    case "status":
      return deps.events.status(cluster, req.msg.value);
    case "drift":
      return deps.events.drift(cluster, req.msg.value);
    default:
      return;
  }
}

/** Marks Disconnected the clusters whose streams ended, in one batch. */
export function markEnded(deps: Pick<AgentServiceDeps, "db" | "sessions" | "hubId">) {
  return async (names: string[]): Promise<PromiseSettledResult<void>[]> => {
    // An agent that opened a new stream here while its old one waited in this batch is Connected.
    await disconnectClusters(deps.db, names.filter((name) => !deps.sessions.get(name)), deps.hubId);
    return names.map(() => fulfilled(undefined));
  };
}

async function disconnect(deps: ConnectDeps, session: Session): Promise<void> {
  if (!deps.sessions.release(session)) return;
  deps.log.info({ cluster: session.cluster }, "agent disconnected");
  await deps.markDisconnected(session.cluster);
}

/**
 * Marks clusters whose agents went quiet as Disconnected and flushes heartbeats: one statement
 * for all agents heard since the last sweep (their last-seen time is the sweep's, a few seconds late at most).
 */
export async function sweepSessions(deps: Pick<AgentServiceDeps, "db" | "log" | "sessions" | "hubId">, timeoutMs: number, now = Date.now()): Promise<void> {
  const heard: string[] = [];
  const silent: string[] = [];
  for (const s of deps.sessions.all()) {
    if (now - s.lastSeen > timeoutMs) {
      deps.log.warn({ cluster: s.cluster, silentMs: now - s.lastSeen }, "agent heartbeat timed out");
      deps.sessions.close(s.cluster, new RpcError("UNAVAILABLE", `no heartbeat for ${timeoutMs} ms`));
      silent.push(s.cluster);
    } else if (s.dirty) {
      s.dirty = false;
      heard.push(s.cluster);
    }
  }
  await disconnectClusters(deps.db, silent, deps.hubId);
  for (const names of inChunks(heard)) {
    await deps.db.cluster.updateMany({ where: { name: { in: names } }, data: { lastHeartbeat: new Date(now) } });
  }
}

