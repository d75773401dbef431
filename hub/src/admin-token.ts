import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { randomSecret } from "./registry/secrets.js";

export const ADMIN_TOKEN_FILE = "admin-token";

/** Reads DATA_DIR/admin-token, creating it (mode 0600) on first start; `created` tells which. */
export async function ensureAdminToken(dataDir: string): Promise<{ token: string; path: string; created: boolean }> {
  const path = join(dataDir, ADMIN_TOKEN_FILE);
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
