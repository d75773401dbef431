import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const KEY_BYTES = 32;

/**
 * The AES-256 key for secrets at rest: GITFLEET_SECRET_KEY (base64 or hex of 32 bytes) or
 * DATA_DIR/secret-key, created 0600 on first use. Losing it makes stored credentials unreadable.
 */
export function loadSecretKey(dataDir: string, env: NodeJS.ProcessEnv = process.env): Buffer {
  const fromEnv = env.GITFLEET_SECRET_KEY;
  if (fromEnv) return decodeKey(fromEnv.trim(), "GITFLEET_SECRET_KEY");
  const file = join(dataDir, "secret-key");
  try {
    // "wx": two hubs starting together cannot both create (and disagree on) the key.
    writeFileSync(file, randomBytes(KEY_BYTES).toString("base64") + "\n", { mode: 0o600, flag: "wx" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  return decodeKey(readFileSync(file, "utf8").trim(), file);
}

function decodeKey(text: string, where: string): Buffer {
  const key = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, "hex") : Buffer.from(text, "base64");
  if (key.length !== KEY_BYTES) throw new Error(`${where}: want ${KEY_BYTES} bytes as base64 or hex (e.g. \`openssl rand -base64 32\`)`);
  return key;
}
