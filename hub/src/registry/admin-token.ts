import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ADMIN_TOKEN_FILE } from "@gitfleet/shared";
import { randomSecret } from "./secrets.js";

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
