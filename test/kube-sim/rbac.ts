// RBAC as the API server evaluates it for a service account: the Roles and ClusterRoles bound to it
// (RoleBindings, ClusterRoleBindings), read from the cluster at request time, so a test can apply
// an install manifest's RBAC with kubectl and run a client with exactly those rights.
import type { Store } from "./store.js";
import type { KObj } from "./util.js";

export interface ServiceAccountRef {
  namespace: string;
  name: string;
}

interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs?: string[];
}

const RBAC = "rbac.authorization.k8s.io";
const rt = (plural: string) => ({ group: RBAC, plural });
const has = (list: string[] | undefined, value: string) => Boolean(list?.includes("*") || list?.includes(value));

function ruleAllows(rule: PolicyRule, verb: string, res: { plural: string; group: string }, name?: string): boolean {
  if (!has(rule.verbs, verb) || !has(rule.apiGroups, res.group) || !has(rule.resources, res.plural)) return false;
  // resourceNames cannot restrict list, watch, create or deletecollection: such rules never grant them.
  return !rule.resourceNames?.length || (name !== undefined && rule.resourceNames.includes(name));
}

function boundTo(binding: KObj, sa: ServiceAccountRef): boolean {
  const subjects = (binding.subjects ?? []) as { kind: string; name: string; namespace?: string }[];
  return subjects.some((s) => s.kind === "ServiceAccount" && s.name === sa.name && s.namespace === sa.namespace);
}

/** The rules a binding grants: its roleRef's Role (in the binding's namespace) or ClusterRole. */
function rulesOf(store: Store, binding: KObj): PolicyRule[] {
  const ref = binding.roleRef as { kind: string; name: string };
  const role = ref.kind === "ClusterRole" ? store.get(rt("clusterroles"), undefined, ref.name) : store.get(rt("roles"), binding.metadata.namespace, ref.name);
  return (role?.rules ?? []) as PolicyRule[];
}

/** ns: the request's namespace (for a Namespace itself, its name), as RBAC sees it. */
export function rbacAllows(store: Store, sa: ServiceAccountRef, verb: string, res: { plural: string; group: string }, ns: string | undefined, name?: string): boolean {
  const bindings = [
    ...store.list(rt("clusterrolebindings")),
    // A RoleBinding grants only in its own namespace, even when it refers to a ClusterRole.
    ...(ns ? store.list(rt("rolebindings"), ns) : []),
  ];
  return bindings.some((b) => boundTo(b, sa) && rulesOf(store, b).some((r) => ruleAllows(r, verb, res, name)));
}
