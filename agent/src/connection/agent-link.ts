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
  type OnResponseBytes,
  type ServiceClient,
  createBackoff,
} from "@gitfleet/shared";
import { RECONNECT_BASE_MS, RECONNECT_MAX_MS, REGISTER_TIMEOUT_MS, WELCOME_TIMEOUT_MS } from "../config/intervals.js";
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
  /** The hub's address, or several hubs' (comma-separated), as given to --hub. */
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
/** `onResponse` is told the encoded size of each message received from the hub (measurements). */
export function createAgentClient(hub: string, credentials: grpc.ChannelCredentials, extra: grpc.ClientOptions = {}, onResponse?: OnResponseBytes): AgentClient {
  return createClient(AgentService, hub, credentials, { ...KEEPALIVE_OPTIONS, ...extra }, onResponse);
}

/**
 * The hubs an agent may talk to (`--hub a:7443,b:7443`): one channel each, used one at a time.
 * The first address is tried first; after a failure another one is picked at random, so the agents
 * of a hub that died spread over the others instead of all landing on the next in the list.
 */
export interface HubClients {
  current(): AgentClient;
  address(): string;
  /** Moves to another hub (after a failure); a no-op with one address. */
  failover(): void;
  /** Closes the current hub's channel; the next current() opens a new one. */
  renew(): void;
  close(): void;
}

export function parseHubAddresses(value: string): string[] {
  const list = value.split(",").map((a) => a.trim()).filter(Boolean);
  if (list.length === 0) throw new Error(`--hub must be HOST:PORT or a comma-separated list of them, got "${value}"`);
  return [...new Set(list)];
}

export function createHubClients(hub: string, make: (address: string) => AgentClient, random: () => number = Math.random): HubClients {
  const addresses = parseHubAddresses(hub);
  const clients = new Map<string, AgentClient>();
  let i = 0;
  const current = () => {
    const address = addresses[i]!;
    let client = clients.get(address);
    if (!client) clients.set(address, (client = make(address)));
    return client;
  };
  return {
    current,
    address: () => addresses[i]!,
    failover() {
      if (addresses.length < 2) return;
      i = (i + 1 + Math.floor(random() * (addresses.length - 1))) % addresses.length;
    },
    renew() {
      clients.get(addresses[i]!)?.close();
      clients.delete(addresses[i]!);
    },
    close() {
      for (const c of clients.values()) c.close();
    },
  };
}

/** Registers once (or reuses the stored identity), then keeps one stream to a hub open until aborted. */
export async function runLink(opts: LinkOptions, hubs: HubClients, signal: AbortSignal): Promise<void> {
  const identity = await ensureIdentity(opts, hubs, signal);
  if (!identity) return; // stopped while waiting to register: a clean stop, not a failure
  const backoff = createBackoff(RECONNECT_BASE_MS, RECONNECT_MAX_MS);
  while (!signal.aborted) {
    let busyMs = 0;
    try {
      await openStream(opts, hubs.current(), identity, signal, () => backoff.reset());
    } catch (err) {
      const e = RpcError.from(err);
      busyMs = e.retryAfterMs ?? 0;
      if (isPermanent(e)) throw new AgentFatalError(`hub refused cluster "${identity.name}": ${e.message} (${e.reason})`);
      if (err instanceof WelcomeTimeout) hubs.renew();
      const from = hubs.address();
      hubs.failover();
      opts.log.warn({ reason: e.reason, err: e.message, hub: from, next: hubs.address() }, "hub stream lost; reconnecting");
    }
    // A busy hub's hint is a floor; the jittered backoff on top spreads the agents it turned away.
    if (!signal.aborted) await sleep(busyMs + backoff.next(), signal);
  }
}

/** The stored identity, or a new one from registering with the token; undefined when stopped first. */
async function ensureIdentity(opts: LinkOptions, hubs: HubClients, signal: AbortSignal): Promise<Identity | undefined> {
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
      const res = await hubs.current().register(
        { token: opts.token, name: opts.name, labels: opts.labels, agentVersion: opts.agentVersion, kubernetesVersion: opts.kubernetesVersion },
        { signal, deadlineMs: REGISTER_TIMEOUT_MS },
      );
      const identity = { name: opts.name, hub: opts.hub, credential: res.credential };
      await opts.identities.save(identity);
      opts.log.info({ state: ClusterState[res.cluster?.state ?? 0] }, "registered with hub");
      return identity;
    } catch (err) {
      if (signal.aborted) return undefined;
      const e = RpcError.from(err);
      if (isPermanent(e)) throw new AgentFatalError(`registration of cluster "${opts.name}" failed: ${e.message} (${e.reason})`);
      opts.log.warn({ reason: e.reason, err: e.message, hub: hubs.address() }, "hub unreachable for registration; retrying");
      hubs.failover();
      await sleep((e.retryAfterMs ?? 0) + backoff.next(), signal);
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
  let lastSent = 0;
  const send = (msg: Outgoing) => {
    lastSent = Date.now();
    call.write(msg);
  };
  return new Promise<void>((resolve, reject) => {
    const abort = () => call.cancel();
    signal.addEventListener("abort", abort, { once: true });
    let timedOut = false;
    const welcomeTimer = setTimeout(() => {
      timedOut = true;
      call.cancel();
    }, WELCOME_TIMEOUT_MS);
    const done = (err?: unknown) => {
      clearTimeout(welcomeTimer);
      if (timedOut) err = new WelcomeTimeout();
      clearTimeout(heartbeat);
      signal.removeEventListener("abort", abort);
      opts.handler.link(undefined);
      if (err && !signal.aborted) reject(err);
      else resolve();
    };
    call.on("data", (res: ConnectResponse) => {
      switch (res.msg.case) {
        case "welcome": {
          const state = res.msg.value.cluster?.state;
          clearTimeout(welcomeTimer);
          onWelcome();
          clearTimeout(heartbeat);
          const every = (res.msg.value.heartbeatIntervalSeconds || DEFAULT_HEARTBEAT_INTERVAL_S) * 1000;
          // Any message tells the hub the agent is alive: a heartbeat only ends `every` of silence, so a
          // commit's status reports stand in for 10,000 agents' heartbeats instead of adding to them.
          const beat = () => {
            const quiet = Date.now() - lastSent;
            if (quiet >= every) send({ msg: { case: "heartbeat", value: {} } });
            heartbeat = setTimeout(beat, quiet >= every ? every : every - quiet);
          };
          heartbeat = setTimeout(beat, every);
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

/** The hub did not welcome a stream in time (see WELCOME_TIMEOUT_MS). */
class WelcomeTimeout extends RpcError {
  constructor() {
    super("UNAVAILABLE", `no Welcome from the hub within ${WELCOME_TIMEOUT_MS} ms: opening the stream again on a new channel`);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    // Removed when the time is up: a link retrying for hours must not pile listeners on its signal.
    const stop = () => {
      clearTimeout(t);
      signal.removeEventListener("abort", stop);
      resolve();
    };
    const t = setTimeout(stop, ms);
    signal.addEventListener("abort", stop, { once: true });
  });
}
