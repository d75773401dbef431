/**
 * Who an admin call acts as, as the audit log names it. The hub's own admin token (DATA_DIR/admin-token
 * or GITFLEET_ADMIN_TOKEN) is one actor; an issued one is its public id and description. Never a secret.
 */
export const HUB_ADMIN_ACTOR = "hub-admin-token";

/** Long enough for "ci deploys (team-a)" and the like; the full description is in `admin-token list`. */
export const ACTOR_DESCRIPTION_MAX = 64;

/** "admin-token:<id> (<description>)", the description on one line and cut, or without it when empty. */
export function adminTokenActor(id: string, description: string): string {
  const oneLine = description.replace(/[\s\p{Cc}]+/gu, " ").trim();
  if (!oneLine) return `admin-token:${id}`;
  const cut = oneLine.length > ACTOR_DESCRIPTION_MAX ? `${oneLine.slice(0, ACTOR_DESCRIPTION_MAX - 1)}…` : oneLine;
  return `admin-token:${id} (${cut})`;
}
