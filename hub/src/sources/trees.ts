// Checked-out trees under DATA_DIR/git/trees (SOURCE/SHA, and .config/SHA for the hub's config repo)
// and unpacked charts under DATA_DIR/charts (SOURCE/VERSION_sha256_DIGEST): a tree is held while
// something reads it, and retention removes only trees nobody holds. Each hub has its own data dir,
// so holding is per process.
import { lstat, readdir, rename, rm, utimes } from "node:fs/promises";
import { join, resolve } from "node:path";
import { checkout } from "./checkout.js";
import type { Mirror } from "./mirror-cache.js";

/** Where the hub's config repo is checked out, beside the Sources' (a Source name never starts with "."). */
export const CONFIG_TREES = ".config";

const held = new Map<string, number>();
const removing = new Map<string, Promise<void>>();

/** Runs fn on the tree of sha (checked out under cacheDir if needed); it is not removed before fn settles. */
export function withTree<T>(mirror: Mirror, sha: string, cacheDir: string, fn: (dir: string) => Promise<T>): Promise<T> {
  return holdingTree(join(cacheDir, sha), async () => fn(await checkout(mirror, sha, cacheDir)));
}

/** Holds the tree at path while fn (which materialises and reads it) runs; marks it used. */
export async function holdingTree<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const dest = resolve(path);
  held.set(dest, (held.get(dest) ?? 0) + 1);
  try {
    await removing.get(dest);
    // Retention keeps trees used within its grace: the mtime says when this one last was.
    const now = new Date();
    await utimes(dest, now, now).catch(() => undefined);
    return await fn();
  } finally {
    const n = (held.get(dest) ?? 1) - 1;
    if (n > 0) held.set(dest, n);
    else held.delete(dest);
  }
}

/** Removes a tree unless it is held; its size in bytes, or undefined when it was held. */
export async function removeTree(dir: string): Promise<number | undefined> {
  const path = resolve(dir);
  if (held.has(path)) return undefined;
  // Marked before the first await: a withTree from now on waits and checks the tree out again.
  const done = (async () => {
    const size = await treeBytes(path);
    // Renamed first, so a checkout never finds a half-deleted tree under the SHA's name.
    const trash = `${path}.removing`;
    await rename(path, trash);
    await rm(trash, { recursive: true, force: true });
    return size;
  })();
  const settled = done.then(() => undefined, () => undefined);
  removing.set(path, settled);
  try {
    return await done;
  } finally {
    if (removing.get(path) === settled) removing.delete(path);
  }
}

export interface TreeDir {
  path: string;
  name: string;
  usedAt: number;
}

/** Every tree under root (root/SOURCE/SHA), with leftovers of interrupted checkouts and removals. */
export async function listTrees(root: string, sources: ReadonlySet<string>): Promise<TreeDir[]> {
  const out: TreeDir[] = [];
  for (const top of await dirs(root)) {
    // Before CONFIG_TREES, the config repo's trees were root/SHA.
    const parents = /^[0-9a-f]{40}$/.test(top) && !sources.has(top) ? [[root, [top]] as const] : [[join(root, top), await dirs(join(root, top))] as const];
    for (const [parent, names] of parents) {
      for (const name of names) {
        const path = join(parent, name);
        const st = await lstat(path).catch(() => undefined);
        if (st) out.push({ path, name, usedAt: st.mtimeMs });
      }
    }
  }
  return out;
}

async function dirs(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return [];
    throw err;
  });
  return entries.filter((e) => e.isDirectory()).map((e) => e.name);
}

/** Bytes of the files under dir (symlinks count as themselves). */
async function treeBytes(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isDirectory()) continue;
    total += (await lstat(join(e.parentPath, e.name)).catch(() => undefined))?.size ?? 0;
  }
  return total;
}
