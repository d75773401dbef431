// Every interval and backoff of the agent, in one place.

/** Reconnect backoff: exponential from BASE to MAX, with full jitter so a restarted hub is not stampeded. */
export const RECONNECT_BASE_MS = Number(process.env.GITFLEET_RECONNECT_BASE_MS ?? 250);
export const RECONNECT_MAX_MS = Number(process.env.GITFLEET_RECONNECT_MAX_MS ?? 30_000);

/** Heartbeat period used until the hub says otherwise in Welcome. */
export const DEFAULT_HEARTBEAT_S = 10;

/** grpc keepalive pings on the agent's single connection. */
export const KEEPALIVE_TIME_MS = 20_000;
export const KEEPALIVE_TIMEOUT_MS = 10_000;
