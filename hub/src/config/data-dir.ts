import { chmod, lstat, mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";

/**
 * The data dir holds the database (bundles carry Secrets from Git), keys, mirrors and trees: owner
 * only. The umask covers what the hub and its children (git, tar, kustomize) create from now on;
 * the walk tightens what an older hub left readable.
 */
export async function privateDataDir(dir: string): Promise<void> {
  process.umask(0o077);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await tighten(dir);
}

async function tighten(path: string): Promise<void> {
  const st = await lstat(path);
  if (st.isSymbolicLink()) return;
  if (st.mode & 0o077) await chmod(path, st.mode & 0o700);
  if (st.isDirectory()) for (const name of await readdir(path)) await tighten(join(path, name));
}
