// Every interval and timeout of the hub, in one place, so they can be read and tuned together.

import { DEFAULT_HEARTBEAT_INTERVAL_S } from "@gitfleet/shared";

// Protocol timing both ends agree on (heartbeat, keepalive) lives in @gitfleet/shared (rpc/protocol.ts).

/**
 * The hub's own keepalive ping on each agent connection. Liveness is the agents' job: they heartbeat
 * every HEARTBEAT_INTERVAL_S and ping every KEEPALIVE_TIME_MS (20 s), and a cluster silent for the
 * heartbeat timeout (30 s) is Disconnected by the session sweep. The hub's ping only closes connections
 * whose agent vanished without a word (its stream already ended by the sweep): every 20 s it was 500 pings
 * a second at 10,000 agents, and a ping unanswered for KEEPALIVE_TIMEOUT_MS while the hub's own event
 * loop was busy dropped a healthy connection.
 */
export const HUB_KEEPALIVE_TIME_MS = 5 * 60_000;

/** Agents send a heartbeat this often (told to them in Welcome); tests shorten it. */
export const HEARTBEAT_INTERVAL_S = Number(process.env.GITFLEET_HEARTBEAT_INTERVAL_S ?? DEFAULT_HEARTBEAT_INTERVAL_S);

/** Bootstrap tokens expire; there is no never-expiring token. */
export const DEFAULT_TOKEN_TTL_S = 24 * 3600;
export const MAX_TOKEN_TTL_S = 365 * 24 * 3600;

/** A registration repeated with the same token and name this soon, before the agent connected, is a retry. */
export const REGISTRATION_RETRY_WINDOW_MS = 10 * 60_000;

/** A fetch or render that failed for a reason that is not the commit's is retried after 1 s, 2 s, 4 s ... at most 5 min. */
export const RETRY_BASE_MS = 1_000;
export const RETRY_MAX_MS = 5 * 60_000;

/** Drift history is kept this long (--drift-retention); pruned this often. */
export const DEFAULT_DRIFT_RETENTION_MS = 30 * 24 * 3600 * 1000;
export const DRIFT_PRUNE_INTERVAL_MS = Number(process.env.GITFLEET_DRIFT_PRUNE_INTERVAL_MS ?? 3600 * 1000);

/**
 * Open dashboards share one reader of the fleet matrix: every second, or 4x as long as a read
 * takes (a 1000 x 20 matrix reads in about 1.3 s on SQLite here), so watching stays under ~25% of a core.
 */
export const FLEET_WATCH_INTERVAL_MS = 1000;
export const FLEET_WATCH_LOAD_FACTOR = 4;

/** Notifications: attempts per notice, the first retry's delay (doubling), and each POST's timeout. */
export const NOTIFY_ATTEMPTS = 5;
export const NOTIFY_BACKOFF_MS = Number(process.env.GITFLEET_NOTIFY_BACKOFF_MS ?? 1000);
export const NOTIFY_TIMEOUT_MS = 10_000;

/**
 * Several hubs on PostgreSQL: the singleton lease lives LEASE_TTL_MS after each renewal, renewed
 * (or, by the others, tried) every LEASE_RENEW_MS. A dead leader's lease expires within the TTL and
 * another hub takes it at its next try: within TTL + RENEW = 12 s (the goal is 15 s). A leader that
 * could not renew for TTL - RENEW steps down before its lease can expire for the others.
 */
export const LEASE_TTL_MS = Number(process.env.GITFLEET_LEASE_TTL_MS ?? 10_000);
export const LEASE_RENEW_MS = Number(process.env.GITFLEET_LEASE_RENEW_MS ?? 2_000);
/** Each hub re-sends assignments its agents missed (a lost notification) this often. */
export const CATCH_UP_INTERVAL_MS = 5_000;
/** A catch-up re-reads clusters changed this long before its previous pass: late commits, hub clocks apart. */
export const CATCH_UP_SLACK_MS = 30_000;

/** How often the leader looks again at Apps with an unsettled rollout (disconnects, missed wake-ups). */
export const ROLLOUT_SWEEP_MS = 5_000;
/**
 * Status reports tick an App's rollout at most this often, and 1 ms per cluster of the App sooner: a
 * tick reads every cluster of the App, and a fleet's reports arrive in a batch every
 * STATUS_FLUSH_INTERVAL_MS (1000 clusters: ~5 ticks a second otherwise).
 */
export const ROLLOUT_REPORT_TICK_MS = Number(process.env.GITFLEET_ROLLOUT_REPORT_TICK_MS ?? 1_000);

/**
 * Retention (hub/src/retention): how often old bundles, renders and trees are removed
 * (--retention-interval; 0 = never) and how many recent revisions per Source stay besides those in use
 * (--keep-revisions). Nothing used within the grace is removed, whatever the policy says: that covers a
 * render between its write and the assignment that references it, on this or another hub.
 */
export const DEFAULT_RETENTION_INTERVAL_MS = 3600 * 1000;
export const DEFAULT_KEEP_REVISIONS = 10;
export const RETENTION_GRACE_MS = Number(process.env.GITFLEET_RETENTION_GRACE_MS ?? 10 * 60_000);
/** A hub marks a bundle used at most this often (a render cache hit costs no write each time). */
export const BUNDLE_TOUCH_EVERY_MS = RETENTION_GRACE_MS / 4;

/**
 * Agents' statuses are written in batches (status/batcher.ts): at most this long after they
 * arrive, or at once when this many (cluster, App) statuses wait.
 */
export const STATUS_FLUSH_INTERVAL_MS = Number(process.env.GITFLEET_STATUS_FLUSH_MS ?? 200);
export const STATUS_FLUSH_MAX_PENDING = 2_000;

/** A hub at its registration or connection limit tells agents to wait this long (plus their jittered backoff). */
export const BUSY_RETRY_AFTER_MS = 2_000;

/**
 * Registrations, stream openings and disconnects that arrive within this long of the previous
 * batch's start share the next batch (store/batch.ts): a fleet dialling at 300 a second makes
 * batches of ~30, not of 2 or 3 that each pay every statement's fixed cost. A lone call waits for nothing.
 */
export const WAVE_BATCH_SPACING_MS = Number(process.env.GITFLEET_WAVE_BATCH_SPACING_MS ?? 100);
