import type { FieldDiff } from "@gitfleet/shared";

const REDACTED = "[redacted]";

/** Secret values never leave the agent in clear, but the hub masks them again before storing. */
export function redactFields(kind: string, fields: readonly FieldDiff[]): { path: string; desired: string; live: string }[] {
  const secret = kind === "Secret";
  return fields.map((f) => {
    const hide = secret && /^\.?(data|stringData)(\.|\[|$)/.test(f.path);
    return { path: f.path, desired: hide && f.desired ? REDACTED : f.desired, live: hide && f.live ? REDACTED : f.live };
  });
}
