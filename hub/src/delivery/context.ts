import type { DescMessage, Message, MessageInitShape } from "@bufbuild/protobuf";
import type { Logger } from "@gitfleet/shared";
import type { HubMetrics } from "../metrics/index.js";
import type { Sessions } from "../transport/grpc/sessions.js";
import type { SecretBox } from "../secrets/index.js";
import type { Db } from "../store/index.js";

/** What every delivery step shares; built once in createDelivery. */
export interface Ctx {
  db: Db;
  log: Logger;
  box: SecretBox;
  sessions: Pick<Sessions, "send" | "get">;
  /** DATA_DIR/git: mirrors/ and trees/ (one tree per checked-out SHA). */
  gitDir: string;
  stats: DeliveryStats;
  metrics: HubMetrics;
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
