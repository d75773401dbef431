// Every interval and backoff of the agent, in one place.

/** Reconnect backoff: exponential from BASE to MAX, with full jitter so a restarted hub is not stampeded. */
export const RECONNECT_BASE_MS = Number(process.env.GITFLEET_RECONNECT_BASE_MS ?? 250);
export const RECONNECT_MAX_MS = Number(process.env.GITFLEET_RECONNECT_MAX_MS ?? 30_000);

/**
 * A stream the hub has not welcomed by then is given up and opened again on a new channel: a hub
 * that accepts a stream and never answers it (wedged, or starved) must not hold the agent for ever.
 */
export const WELCOME_TIMEOUT_MS = Number(process.env.GITFLEET_WELCOME_TIMEOUT_MS ?? 30_000);

/** A Register the hub has not answered by then is abandoned and retried (retrying is safe: same token and name, same cluster). */
export const REGISTER_TIMEOUT_MS = Number(process.env.GITFLEET_REGISTER_TIMEOUT_MS ?? 30_000);

// Heartbeat and keepalive are the protocol's, agreed with the hub: @gitfleet/shared (rpc/protocol.ts).

/** Full reconcile of every app even when nothing changed (--resync overrides). */
export const DEFAULT_RESYNC_MS = 5 * 60_000;
/** Periodic full drift comparison (--drift-interval overrides); watches catch most drift sooner. */
export const DEFAULT_DRIFT_INTERVAL_MS = 60_000;
/** Health re-check while an app is Progressing or Missing. */
export const HEALTH_RECHECK_MS = 2_000;
/** Expected waits (dependencies not Healthy, CRD kinds not served yet) are checked again after this. */
export const WAIT_RECHECK_MS = 5_000;
/** Transient failures (429, 5xx, network, hub unreachable for a bundle): exponential retry. */
export const RETRY_BASE_MS = 1_000;
export const RETRY_MAX_MS = 60_000;
/** How long a CRD may take to become Established before its custom resources are an expected wait. */
export const CRD_ESTABLISH_TIMEOUT_MS = 30_000;
export const CRD_POLL_MS = 200;
/** Watches that end or fail are restarted with this backoff. */
export const WATCH_RESTART_BASE_MS = 500;
export const WATCH_RESTART_MAX_MS = 30_000;
/** A bundle download from the hub that takes longer is abandoned and retried. */
export const BUNDLE_FETCH_TIMEOUT_MS = 60_000;
/** The API server's HTTP/2 connection is pinged this often, and dropped when a PING goes unanswered this long (client-go: 30 s and 15 s). */
export const H2_PING_INTERVAL_MS = 30_000;
export const H2_PING_TIMEOUT_MS = 15_000;
/** TCP and TLS set-up of the API server's HTTP/2 connection (client-go dials within 30 s): a server that accepts and never answers must not hold every call. */
export const H2_CONNECT_TIMEOUT_MS = Number(process.env.GITFLEET_KUBE_CONNECT_TIMEOUT_MS ?? 30_000);
