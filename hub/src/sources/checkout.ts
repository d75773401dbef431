import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { CheckoutError } from "./errors.js";
import { ambientEnv } from "./git-env.js";
import type { Mirror } from "./mirror-cache.js";

const inflight = new Map<string, Promise<string>>();

/**
 * Materialises the tree of a commit under cacheDir/<sha> (no .git) and returns that path.
 * Done once per SHA: a tree for a given SHA never changes, so an existing directory is reused.
 */
export function checkout(mirror: Mirror, sha: string, cacheDir: string): Promise<string> {
  if (!/^[0-9a-f]{40}$/.test(sha)) return Promise.reject(new CheckoutError(mirror.sourceName, sha, "want a full 40-digit SHA"));
  const dest = join(cacheDir, sha);
  let pending = inflight.get(dest);
  if (!pending) {
    pending = materialise(mirror, sha, cacheDir, dest).finally(() => inflight.delete(dest));
    inflight.set(dest, pending);
  }
  return pending;
}

async function materialise(mirror: Mirror, sha: string, cacheDir: string, dest: string): Promise<string> {
  if (await stat(dest).then(() => true, () => false)) return dest;
  await mkdir(cacheDir, { recursive: true });
  const tmp = await mkdtemp(join(cacheDir, `.tmp-${sha.slice(0, 12)}-`));
  try {
    await archiveInto(mirror.dir, sha, tmp);
    await rename(tmp, dest).catch(async (err: NodeJS.ErrnoException) => {
      // Another process finished the same SHA first: its tree is identical.
      if (err.code !== "ENOTEMPTY" && err.code !== "EEXIST") throw err;
    });
    return dest;
  } catch (err) {
    throw new CheckoutError(mirror.sourceName, sha, (err as Error).message);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

// git archive | tar -x: binary output, so a plain spawn pipeline rather than simple-git.
function archiveInto(gitDir: string, sha: string, dest: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const env = { ...ambientEnv(), GIT_DIR: gitDir };
    const git = spawn("git", ["archive", "--format=tar", sha], { env, stdio: ["ignore", "pipe", "pipe"] });
    const tar = spawn("tar", ["-x", "--no-same-owner", "--no-same-permissions", "-f", "-", "-C", dest], { stdio: ["pipe", "ignore", "pipe"] });
    git.stdout.pipe(tar.stdin);
    let stderr = "";
    git.stderr.on("data", (d: Buffer) => (stderr += d));
    tar.stderr.on("data", (d: Buffer) => (stderr += d));
    let open = 2;
    const done = (who: string) => (code: number | null) => {
      if (code !== 0) reject(new Error(`${who} exited ${code}: ${stderr.trim()}`));
      else if (--open === 0) resolve();
    };
    git.on("error", reject).on("close", done("git archive"));
    tar.on("error", reject).on("close", done("tar"));
  });
}
