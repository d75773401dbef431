import { apiGroup } from "@gitfleet/shared";

/** Assignment.ignoreFields for one app. */
export interface IgnoreRules {
  /** Whether a difference at this path is never drift. */
  matches(apiVersion: string, kind: string, path: string): boolean;
  /** The ignored paths that apply to a kind. */
  paths(apiVersion: string, kind: string): string[];
}

/**
 * "apps/Deployment:spec.replicas" (group-qualified) or "Deployment:spec.replicas" (any group).
 * A rule covers the path and everything below it.
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
  const forKind = (apiVersion: string, kind: string) => parsed.filter((r) => r.kind === kind && (r.group === undefined || r.group === apiGroup(apiVersion)));
  return {
    matches: (apiVersion, kind, path) => forKind(apiVersion, kind).some((r) => covers(r.path, path)),
    paths: (apiVersion, kind) => forKind(apiVersion, kind).map((r) => r.path),
  };
}

function covers(rule: string, path: string): boolean {
  return path === rule || path.startsWith(`${rule}.`) || path.startsWith(`${rule}[`);
}
