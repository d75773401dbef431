/** What stands in for a Secret value in every drift report, log line and CLI output. */
export const REDACTED = "[redacted]";

// A Secret's values, and the kubectl annotation that copies them.
const SECRET_PATHS = /^\.?(data|stringData)([.[]|$)|^\.?metadata\.annotations\["kubectl\.kubernetes\.io\/last-applied-configuration"\]/;

/** Masks the values of a Secret's data fields (agent before sending, hub again before storing). */
export function redactSecretFields<T extends { path: string; desired: string; live: string }>(kind: string, fields: readonly T[]): T[] {
  if (kind !== "Secret") return [...fields];
  return fields.map((f) =>
    SECRET_PATHS.test(f.path) ? { ...f, desired: f.desired && REDACTED, live: f.live && REDACTED } : f,
  );
}
