import { apiGroup } from "@gitfleet/shared";

export type IgnoreRules = (apiVersion: string, kind: string, path: string) => boolean;

/**
 * Assignment.ignoreFields: "apps/Deployment:spec.replicas" (group-qualified) or
 * "Deployment:spec.replicas" (any group). A rule covers the path and everything below it.
 */
export function ignoreRules(rules: readonly string[]): IgnoreRules {
  const parsed = rules.flatMap((rule) => {
    const colon = rule.indexOf(":");
    if (colon < 0) return [];
    const kindPart = rule.slice(0, colon);
    const slash = kindPart.lastIndexOf("/");
    const group = slash < 0 ? undefined : kindPart.slice(0, slash);
    return [{ group, kind: kindPart.slice(slash + 1), path: rule.slice(colon + 1).trim() }];
  });
  return (apiVersion, kind, path) =>
    parsed.some((r) => r.kind === kind && (r.group === undefined || r.group === apiGroup(apiVersion)) && covers(r.path, path));
}

function covers(rule: string, path: string): boolean {
  return path === rule || path.startsWith(`${rule}.`) || path.startsWith(`${rule}[`);
}
