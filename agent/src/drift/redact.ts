import type { FieldDifference } from "./diff.js";

export const REDACTED = "[redacted]";

// A Secret's values, and the kubectl annotation that copies them, never leave the agent.
const SECRET_PATHS = /^(data|stringData)([.[]|$)|^metadata\.annotations\["kubectl\.kubernetes\.io\/last-applied-configuration"\]/;

export function redact(kind: string, diffs: readonly FieldDifference[]): FieldDifference[] {
  if (kind !== "Secret") return [...diffs];
  return diffs.map((d) => (SECRET_PATHS.test(d.path) ? { ...d, desired: REDACTED, live: REDACTED } : d));
}
