// Which storage failures are transient: the database busy or out of reach, not the request wrong.
// The transports answer these UNAVAILABLE (retry later) instead of INTERNAL.

/** PostgreSQL's pool: how many connections a hub opens by default, and how long a query waits for a free one. */
export const DEFAULT_POOL_SIZE = 20;
export const POOL_WAIT_MS = 15_000;

// Prisma codes: P1001 unreachable, P1002/P1008 timed out, P1017 connection closed, P2024 pool
// timeout (Rust engine), P2028 a transaction that could not start (or ended) in time, P2037 too many connections.
const PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "P2028", "P2037"]);
// What the pg adapter's DriverAdapterError calls the same (Prisma wraps raw-query errors in P2010 with it).
const ADAPTER_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);
// SQLSTATE: class 08 connection exception, 53300 too many connections, 57P01-03 server shutting down or starting.
const SQLSTATE = /^(08...|53300|57P0[123])$/;
// pg and pg-pool throw these as plain Errors, which Prisma passes through untouched.
const POOL_TIMEOUT = "timeout exceeded when trying to connect";
const PG_CONNECTION = /^Connection terminated|^Client has encountered a connection error|^Client was closed/;

/**
 * Why the database could not serve this request right now, as a message naming what to do, or
 * undefined when err is not such a failure.
 */
export function storeUnavailable(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  if (err.message === POOL_TIMEOUT) {
    return `the hub's database is busy: no free connection in its pool within ${POOL_WAIT_MS / 1000} s (a larger --database-pool-size, default ${DEFAULT_POOL_SIZE}, or another hub may help); retry later`;
  }
  if (PG_CONNECTION.test(err.message) || isTransient(err)) return `the hub's database is unreachable or overloaded (${driverReason(err.message)}); retry later`;
  return undefined;
}

function isTransient(err: Error): boolean {
  const { code, meta } = err as { code?: unknown; meta?: { driverAdapterError?: unknown } };
  if (typeof code === "string" && PRISMA_CODES.has(code)) return true;
  const adapter = err.name === "DriverAdapterError" ? err : meta?.driverAdapterError;
  const cause = (adapter as { cause?: { kind?: unknown; code?: unknown; originalCode?: unknown } } | undefined)?.cause;
  if (!cause) return false;
  if (typeof cause.kind === "string" && ADAPTER_KINDS.has(cause.kind)) return true;
  const sqlstate = cause.originalCode ?? cause.code;
  return typeof sqlstate === "string" && SQLSTATE.test(sqlstate);
}

/** Prisma's messages start with the call site; the driver's reason is the last line. */
function driverReason(message: string): string {
  const lines = message.split("\n").map((l) => l.trim()).filter(Boolean);
  return lines.at(-1) ?? message;
}
