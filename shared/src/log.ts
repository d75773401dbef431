import { pino, type Logger, type DestinationStream } from "pino";

export type { Logger };

// Keys that may hold secrets anywhere in a log record; pino replaces their values.
const SECRET_KEYS = ["token", "credential", "authorization", "password", "secret", "privateKey", "webhookSecret"];
const redactPaths = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);

/** JSON logs with stable keys; secrets never reach the output. */
export function createLogger(name: string, destination?: DestinationStream): Logger {
  const level = process.env.GITFLEET_LOG_LEVEL ?? "info";
  const opts = { name, level, redact: { paths: redactPaths, censor: "[redacted]" } };
  return destination ? pino(opts, destination) : pino(opts);
}

/** Removes userinfo (user:password@) from URLs inside any text. */
export function redactUrl(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, "$1[redacted]@");
}
