import { pino, type Logger, type DestinationStream } from "pino";
import { REDACTED } from "./redact.js";

export type { Logger };

// Keys that may hold secrets anywhere in a log record; pino replaces their values.
const SECRET_KEYS = ["token", "credential", "authorization", "password", "secret", "privateKey", "webhookSecret"];
const redactPaths = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);

/** JSON logs with stable keys; secrets never reach the output. */
export function createLogger(name: string, destination?: DestinationStream): Logger {
  const level = process.env.GITFLEET_LOG_LEVEL ?? "info";
  const opts = { name, level, redact: { paths: redactPaths, censor: REDACTED } };
  return destination ? pino(opts, destination) : pino(opts);
}
