import * as grpc from "@grpc/grpc-js";
import type { MessageInitShape } from "@bufbuild/protobuf";
import {
  AgentService,
  ClusterState,
  createClient,
  DEFAULT_HEARTBEAT_INTERVAL_S,
  isPermanent,
  KEEPALIVE_OPTIONS,
  RpcError,
  type AssignmentSet,
  type ConnectRequestSchema,
  type ConnectResponse,
  type Labels,
  type Logger,
  type ServiceClient,
} from "@gitfleet/shared";
import { RECONNECT_BASE_MS, RECONNECT_MAX_MS } from "../config/intervals.js";
import { createBackoff } from "../common/backoff.js";
import type { Identity, IdentityStore } from "./credentials.js";

export type Outgoing = MessageInitShape<typeof ConnectRequestSchema>;

/** What the rest of the agent does with the link: receive assignments, send reports while connected. */
export interface LinkHandler {
  assignments(set: AssignmentSet): void;
  /** `gitfleet app sync`: reconcile these apps now. */
  sync(apps: string[]): void;
  /** Called with a sender when the stream is up, and with undefined when it goes down. */
  link(send: ((msg: Outgoing) => void) | undefined): void;
}

export interface LinkOptions {
  hub: string;
  name: string;
  token?: string;
  labels: Labels;
  agentVersion: string;
  kubernetesVersion: string;
  identities: IdentityStore;
  credentials: grpc.ChannelCredentials;
  log: Logger;
  handler: LinkHandler;
}

/** A failure that retrying cannot fix; the agent exits non-zero with its message. */
export class AgentFatalError extends Error {
  override name = "AgentFatalError";
}

export type AgentClient = ServiceClient<typeof AgentService>;

/** The agent's one channel to the hub, with keepalive; `extra` adds channel options or interceptors. */
export function createAgentClient(hub: string, credentials: grpc.ChannelCredentials, extra: grpc.ClientOptions = {}): AgentClient {
  return createClient(AgentService, hub, credentials, { ...KEEPALIVE_OPTIONS, ...extra });
}

/** Registers once (or reuses the stored identity), then keeps one stream to the hub open until aborted. */
export async function runLink(opts: LinkOptions, client: AgentClient, signal: AbortSignal): Promise<void> {
  const identity = await ensureIdentity(opts, client, signal);
  if (!identity) return; // stopped while waiting to register: a clean stop, not a failure
  const backoff = createBackoff(RECONNECT_BASE_MS, RECONNECT_MAX_MS);
  while (!signal.aborted) {
    try {
      await openStream(opts, client, identity, signal, () => backoff.reset());
    } catch (err) {
      const e = RpcError.from(err);
      if (isPermanent(e)) throw new AgentFatalError(`hub refused cluster "${identity.name}": ${e.message} (${e.reason})`);
      opts.log.warn({ reason: e.reason, err: e.message }, "hub stream lost; reconnecting");
    }
    if (!signal.aborted) await sleep(backoff.next(), signal);
  }
}

/** The stored identity, or a new one from registering with the token; undefined when stopped first. */
async function ensureIdentity(opts: LinkOptions, client: AgentClient, signal: AbortSignal): Promise<Identity | undefined> {
  const existing = await opts.identities.load();
  if (existing) {
    if (existing.name !== opts.name) {
      throw new AgentFatalError(`the state in ${opts.identities.describe()} belongs to cluster "${existing.name}", not "${opts.name}": use another state dir`);
    }
    opts.log.info("reusing stored cluster identity");
    return existing;
  }
  if (!opts.token) throw new AgentFatalError(`cluster "${opts.name}" is not registered yet: pass --token with a bootstrap token (gitfleet token create)`);
  const backoff = createBackoff(RECONNECT_BASE_MS, RECONNECT_MAX_MS);
  for (;;) {
    try {
      const res = await client.register({ token: opts.token, name: opts.name, labels: opts.labels, agentVersion: opts.agentVersion, kubernetesVersion: opts.kubernetesVersion });
      const identity = { name: opts.name, hub: opts.hub, credential: res.credential };
      await opts.identities.save(identity);
      opts.log.info({ state: ClusterState[res.cluster?.state ?? 0] }, "registered with hub");
      return identity;
    } catch (err) {
      const e = RpcError.from(err);
      if (isPermanent(e)) throw new AgentFatalError(`registration of cluster "${opts.name}" failed: ${e.message} (${e.reason})`);
      opts.log.warn({ reason: e.reason, err: e.message }, "hub unreachable for registration; retrying");
      await sleep(backoff.next(), signal);
      if (signal.aborted) return undefined;
    }
  }
}

function openStream(opts: LinkOptions, client: AgentClient, identity: Identity, signal: AbortSignal, onWelcome: () => void): Promise<void> {
  const metadata = new grpc.Metadata();
  metadata.set("authorization", `Bearer ${identity.credential}`);
  const call = client.connect({ metadata });
  const log = opts.log;
  let heartbeat: NodeJS.Timeout | undefined;
  const send = (msg: Outgoing) => call.write(msg);
  return new Promise<void>((resolve, reject) => {
    const abort = () => call.cancel();
    signal.addEventListener("abort", abort, { once: true });
    const done = (err?: unknown) => {
      clearInterval(heartbeat);
      signal.removeEventListener("abort", abort);
      opts.handler.link(undefined);
      if (err && !signal.aborted) reject(err);
      else resolve();
    };
    call.on("data", (res: ConnectResponse) => {
      switch (res.msg.case) {
        case "welcome": {
          const state = res.msg.value.cluster?.state;
          onWelcome();
          clearInterval(heartbeat);
          const every = (res.msg.value.heartbeatIntervalSeconds || DEFAULT_HEARTBEAT_INTERVAL_S) * 1000;
          heartbeat = setInterval(() => send({ msg: { case: "heartbeat", value: {} } }), every);
          if (state === ClusterState.PENDING) log.warn("connected; cluster is Pending until an admin runs `gitfleet cluster approve`");
          else log.info("connected to hub");
          opts.handler.link(send);
          return;
        }
        case "assignments":
          opts.handler.assignments(res.msg.value);
          return;
        case "sync":
          opts.handler.sync(res.msg.value.apps);
          return;
        default:
          return;
      }
    });
    call.on("error", (err) => done(err));
    call.on("end", () => done(new RpcError("UNAVAILABLE", "hub closed the stream")));
    send({ msg: { case: "hello", value: { agentVersion: opts.agentVersion, kubernetesVersion: opts.kubernetesVersion } } });
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });
}
