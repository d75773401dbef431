// Bearer-token authentication and a namespace-scoped authorizer that answers like RBAC.
import { randomBytes } from "node:crypto";
import { forbidden, unauthorized } from "./errors.js";
import type { ServiceAccountRef } from "./rbac.js";

export interface TokenScope {
  /** namespaces the token may act in; undefined = cluster-wide */
  namespaces?: string[];
  /** user name reported in 403 messages */
  user?: string;
  /** allowed verbs (get, list, watch, create, update, patch, delete, deletecollection); undefined = all */
  verbs?: string[];
  /** the token is this service account's: authorized by the RBAC objects in the cluster, nothing else */
  serviceAccount?: ServiceAccountRef;
}

/** Answers RBAC questions for service-account tokens from the cluster's Roles and bindings. */
export type RbacCheck = (sa: ServiceAccountRef, verb: string, res: { plural: string; group: string }, ns: string | undefined, name?: string) => boolean;

export interface Principal { token: string; user: string; scope: TokenScope }

export class Auth {
  readonly adminToken: string;
  private readonly tokens = new Map<string, TokenScope>();

  constructor(tokens?: Record<string, TokenScope>, private readonly rbac?: RbacCheck) {
    for (const [t, s] of Object.entries(tokens ?? {})) this.tokens.set(t, s ?? {});
    const admin = [...this.tokens.entries()].find(([, s]) => !s.namespaces && !s.verbs && !s.serviceAccount)?.[0];
    this.adminToken = admin ?? `kube-sim-admin-${randomBytes(12).toString("hex")}`;
    if (!admin) this.tokens.set(this.adminToken, { user: "kubernetes-admin" });
  }

  addToken(token: string, scope: TokenScope = {}): void {
    this.tokens.set(token, scope);
  }

  removeToken(token: string): void {
    this.tokens.delete(token);
  }

  authenticate(header: string | undefined): Principal {
    const m = /^Bearer\s+(.+)$/i.exec(header ?? "");
    const scope = m ? this.tokens.get(m[1]!.trim()) : undefined;
    if (!m || !scope) throw unauthorized();
    const sa = scope.serviceAccount;
    const user = scope.user ?? (sa ? `system:serviceaccount:${sa.namespace}:${sa.name}` : scope.namespaces ? "system:serviceaccount:kube-sim:scoped" : "kubernetes-admin");
    return { token: m[1]!.trim(), user, scope };
  }

  /** ns = request namespace (for namespaces themselves: the namespace's name) */
  authorize(p: Principal, verb: string, res: { plural: string; group: string }, ns: string | undefined, name?: string): void {
    const { namespaces, verbs, serviceAccount } = p.scope;
    if (serviceAccount && !this.rbac?.(serviceAccount, verb, res, ns, name)) throw forbidden(p.user, verb, res, ns, name);
    if (verbs && !verbs.includes(verb)) throw forbidden(p.user, verb, res, ns, name);
    if (!namespaces) return;
    if (!ns || !namespaces.includes(ns)) throw forbidden(p.user, verb, res, ns, name);
  }
}
