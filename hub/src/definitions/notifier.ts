import { FieldError, list, name, object, onlyKeys, optionalString, string } from "./fields.js";
import { REDACTED } from "./source.js";

/** What a Notifier can be told about. */
export const NOTIFY_EVENTS = [
  "rollout.started", "rollout.stage-passed", "rollout.waiting-approval", "rollout.halted", "rollout.rolled-back", "rollout.completed",
  "drift.detected", "app.degraded",
] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

/** A Notifier spec as stored and shown (the secret is kept apart, encrypted). */
export type NotifierSpec = { url: string; events: NotifyEvent[]; apps: string[] };
export type ParsedNotifier = { spec: NotifierSpec; shown: NotifierSpec & { secret?: string }; secret?: string };

export function parseNotifierDef(value: unknown): ParsedNotifier {
  const s = object(value, "spec");
  onlyKeys(s, ["url", "secret", "events", "apps"], "spec");
  const url = string(s.url, "spec.url");
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new FieldError("spec.url", `want an http(s) URL, got "${url}"`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new FieldError("spec.url", `want an http(s) URL, got "${url}"`);
  if (parsed.username || parsed.password) throw new FieldError("spec.url", "credentials in the URL are not kept secret: use spec.secret (HMAC) instead");
  const events = list(s.events, "spec.events").map((e, i) => {
    if (!NOTIFY_EVENTS.includes(e as NotifyEvent)) throw new FieldError(`spec.events[${i}]`, `want one of ${NOTIFY_EVENTS.join(", ")}`);
    return e as NotifyEvent;
  });
  const spec: NotifierSpec = { url, events: events.length ? events : [...NOTIFY_EVENTS], apps: list(s.apps, "spec.apps").map((a, i) => name(a, `spec.apps[${i}]`, "app")) };
  const secret = optionalString(s.secret, "spec.secret");
  return { spec, shown: { ...spec, ...(secret ? { secret: REDACTED } : {}) }, ...(secret ? { secret } : {}) };
}
