import type { DescMessage, Message, MessageInitShape } from "@bufbuild/protobuf";
import type { ConnectResponseSchema, Logger } from "@gitfleet/shared";
import type { HubMetrics } from "../metrics/index.js";
import type { ServedBundle } from "../assign/served-bundles.js";
import type { ChangeFeed } from "../ha/index.js";
import type { SecretBox } from "../secret-box/index.js";
import type { SourceHosts } from "../sources/hosts.js";
import type { AppRepository, Db, SourceRepository } from "../store/index.js";

/** What every delivery step shares; built once in createDelivery. */
export interface Ctx {
  db: Db;
  apps: AppRepository;
  sources: SourceRepository;
  log: Logger;
  box: SecretBox;
  sessions: AgentStreams;
  /** DATA_DIR/git: mirrors/ and trees/ (one tree per checked-out SHA). */
  gitDir: string;
  stats: DeliveryStats;
  metrics: HubMetrics;
  /** The other hubs on the same database (none on SQLite): told which clusters' assignments changed. */
  feed: ChangeFeed;
  /** The hosts Sources may fetch from (--source-hosts); any when undefined. */
  sourceHosts: SourceHosts;
  /** Bundles as agents are sent them (assign/served-bundles.ts): GetBundle serves them, pushes carry small ones inline. */
  bundles: { get(digest: string): Promise<ServedBundle | undefined> };
}

/** The agents' open streams as delivery sees them (transport/grpc/sessions.ts implements it). */
export interface AgentStreams {
  /** Present while the cluster's agent has a stream open. */
  get(cluster: string): object | undefined;
  /** Writes one message on the cluster's stream; false when it has none. */
  send(cluster: string, msg: MessageInitShape<typeof ConnectResponseSchema>): boolean;
  /** The clusters whose streams this hub holds. */
  clusters(): string[];
  /** The generation of the last AssignmentSet sent on the cluster's stream, if any. */
  sentGeneration(cluster: string): number | undefined;
  /** The bundle digests last sent to the cluster on its current stream (GetBundle's fast path). */
  assignedDigests?(cluster: string): ReadonlySet<string> | undefined;
}

/** Counters for a metrics line and the benchmark: renders grow with distinct overlays, not clusters. */
export interface DeliveryStats {
  renders: number;
  renderCacheHits: number;
  pushes: number;
}

export const ADMIN_ORIGIN = "admin:";
export const CONFIG_ORIGIN = "config:";

/** The plain-object init of a message (not the Message itself), so results can be spread and extended. */
export type Init<D extends DescMessage> = Exclude<MessageInitShape<D>, Message>;
