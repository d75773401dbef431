import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ADMIN_TOKEN_FILE } from "@gitfleet/shared";
import { HubError } from "../errors.js";
import { randomSecret, sameSecret } from "./secret-hash.js";

/**
 * GITFLEET_ADMIN_TOKEN when set (a Secret in Kubernetes), else DATA_DIR/admin-token, created with
 * mode 0600 on first start; `created` tells whether it was just made.
 */
export async function ensureAdminToken(dataDir: string): Promise<{ token: string; path: string; created: boolean }> {
  const path = join(dataDir, ADMIN_TOKEN_FILE);
  const fromEnv = process.env.GITFLEET_ADMIN_TOKEN?.trim();
  if (fromEnv) return { token: fromEnv, path: "GITFLEET_ADMIN_TOKEN", created: false };
  try {
    const token = (await readFile(path, "utf8")).trim();
    if (token) return { token, path, created: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  const token = `gfa_${randomSecret()}`;
  await writeFile(path, token + "\n", { mode: 0o600, flag: "w" });
  return { token, path, created: true };
}

/** The admin API's one check, for every transport; the presented token is never logged. */
export function requireAdmin(presented: string | undefined, adminToken: string): void {
  if (!presented || !sameSecret(presented, adminToken)) {
    throw new HubError("UNAUTHENTICATED", "admin API needs a valid bearer token (--token, GITFLEET_TOKEN or the hub's DATA_DIR/admin-token)");
  }
}

/** The token of an "authorization: Bearer …" header value. */
export function bearerToken(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  return /^Bearer\s+(.+)$/i.exec(value)?.[1]?.trim();
}
