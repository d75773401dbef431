import { randomBytes } from "node:crypto";
import { HubError } from "../errors.js";
import type { Db } from "../store/index.js";
import { requireAdmin } from "./admin-token.js";
import { adminTokenActor, HUB_ADMIN_ACTOR } from "./actor.js";
import { hashSecret, randomSecret, sameSecret } from "./secret-hash.js";

export const ROLES = ["viewer", "operator", "admin"] as const;
export type Role = (typeof ROLES)[number];

// Reads are for viewers; Apps, Sources and rollouts for operators; tokens, clusters and anything
// not listed (a method added later) for admins only.
const VIEWER = new Set([
  "ListClusters", "GetCluster", "ListSources", "GetSource", "ListApps", "GetApp", "GetRollout", "ExplainApp",
  "ListNotifiers", "ListAuditEvents", "GetDriftSummary", "ListDrift", "GetDriftGroups", "WatchFleet",
]);
const OPERATOR = new Set(["ApplyResources", "DeleteResource", "PinApp", "SyncApp", "UpdateRollout", "GetAppManifests"]);

export function requiredRole(method: string): Role {
  return VIEWER.has(method) ? "viewer" : OPERATOR.has(method) ? "operator" : "admin";
}

export function parseRole(value: string): Role {
  if (!(ROLES as readonly string[]).includes(value)) throw new HubError("INVALID_ARGUMENT", `--role must be admin, operator or viewer, got "${value}"`);
  return value as Role;
}

const TOKEN_RE = /^gfr_([0-9a-f]{12})\.([A-Za-z0-9_-]+)$/;

export async function createAdminToken(db: Db, role: Role, description: string): Promise<{ token: string; id: string }> {
  const id = randomBytes(6).toString("hex");
  const secret = randomSecret();
  await db.adminToken.create({ data: { id, secretHash: hashSecret(secret), role, description } });
  return { token: `gfr_${id}.${secret}`, id };
}

export async function listAdminTokens(db: Db): Promise<{ id: string; role: string; description: string; createdAt: Date }[]> {
  return db.adminToken.findMany({ select: { id: true, role: true, description: true, createdAt: true }, orderBy: { createdAt: "asc" } });
}

/** Deletes the token, so that it fails like an unknown one from the next call on (roles are read per call, on every hub). */
export async function revokeAdminToken(db: Db, id: string): Promise<{ role: string }> {
  const row = await db.adminToken.findUnique({ where: { id }, select: { role: true } });
  if (!row) throw new HubError("NOT_FOUND", `no admin API token with id "${id}" (see \`gitfleet admin-token list\`; the hub's own admin token is replaced, not revoked)`);
  await db.adminToken.deleteMany({ where: { id } });
  return row;
}

/** Who presents a token and with which role (the hub's own admin token is admin), or UNAUTHENTICATED. */
async function callerOf(db: Db, rootToken: string, presented: string | undefined): Promise<{ role: Role; actor: string }> {
  const m = presented ? TOKEN_RE.exec(presented) : null;
  if (!m) {
    requireAdmin(presented, rootToken);
    return { role: "admin", actor: HUB_ADMIN_ACTOR };
  }
  const row = await db.adminToken.findUnique({ where: { id: m[1]! } });
  if (!row || !sameSecret(hashSecret(m[2]!), row.secretHash)) requireAdmin(undefined, rootToken);
  return { role: row!.role as Role, actor: adminTokenActor(row!.id, row!.description) };
}

/** The admin API's one check, for every transport: a known token whose role the method allows. Returns the caller's audit actor. */
export async function authorizeAdmin(db: Db, rootToken: string, presented: string | undefined, method: string): Promise<string> {
  const { role, actor } = await callerOf(db, rootToken, presented);
  const needed = requiredRole(method);
  if (ROLES.indexOf(role) < ROLES.indexOf(needed)) throw new HubError("FORBIDDEN", `${method} needs the ${needed} role; this token has ${role}`);
  return actor;
}
