// Timing and sizes of the agent protocol that both ends must agree on: the hub and the agent read
// these constants, never copies of them.

/** Agents heartbeat this often; the hub says so in Welcome (overridable there), an agent uses this until then. */
export const DEFAULT_HEARTBEAT_INTERVAL_S = 10;

/** A cluster silent this long (three missed heartbeats) is Disconnected (the hub's --heartbeat-timeout). */
export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 3 * DEFAULT_HEARTBEAT_INTERVAL_S * 1000;

/** gRPC keepalive on the agent's one connection: a ping after this much silence, given up on after the timeout. */
export const KEEPALIVE_TIME_MS = 20_000;
export const KEEPALIVE_TIMEOUT_MS = 10_000;

/** The hub accepts pings this often at most; below KEEPALIVE_TIME_MS, or the hub would answer agents' pings with GOAWAY. */
export const MIN_PING_INTERVAL_MS = 5_000;

/**
 * The agent's keepalive channel options. The hub's server pings far less often (HUB_KEEPALIVE_TIME_MS
 * in hub/src/config/intervals.ts): agents heartbeat and ping it, and a silent agent is Disconnected
 * by the heartbeat timeout, not by a ping.
 */
export const KEEPALIVE_OPTIONS = {
  "grpc.keepalive_time_ms": KEEPALIVE_TIME_MS,
  "grpc.keepalive_timeout_ms": KEEPALIVE_TIMEOUT_MS,
  "grpc.keepalive_permit_without_calls": 1,
} as const;

/**
 * A rendered bundle larger than this is a render error (the hub's --max-bundle-size default); the
 * agent inflates an inline bundle to at most this (cache/bundle-cache.ts).
 */
export const DEFAULT_MAX_BUNDLE_BYTES = 64 * 1024 * 1024;
