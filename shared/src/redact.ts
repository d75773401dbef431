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

/**
 * Masks credentials anywhere in free text (error messages, logs, displayed URLs): the password of
 * URL userinfo (a user alone, often a token, is masked whole) and Authorization header values.
 */
export function redactCredentials(text: string): string {
  return text
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@]+)@/gi, (_, scheme: string, userinfo: string) => {
      const colon = userinfo.indexOf(":");
      return `${scheme}${colon < 0 ? REDACTED : `${userinfo.slice(0, colon)}:${REDACTED}`}@`;
    })
    .replace(/(authorization:\s*)(basic|bearer)\s+\S+/gi, `$1$2 ${REDACTED}`);
}
