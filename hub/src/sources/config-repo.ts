import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { parseDuration, type Logger } from "@gitfleet/shared";
import type { DefinitionText } from "../definitions/index.js";
import { CONFIG_TREES, resolveRevision, withTree, DEFAULT_INTERVAL_MS, type MirrorCache } from "./index.js";

export type ConfigSourceOptions = { url: string; branch?: string; path?: string; interval?: string };

/**
 * The hub's own definitions repo: each new commit's YAML under path is applied as a whole. It uses
 * the Sources' mirror cache, so a repository that is both is fetched by one git at a time.
 */
export function createConfigSource(opts: ConfigSourceOptions, cache: MirrorCache, gitDir: string, log: Logger, apply: (texts: DefinitionText[]) => Promise<void>) {
  let applied: string | undefined;
  return {
    intervalMs: opts.interval ? parseDuration(opts.interval, "config source interval") : DEFAULT_INTERVAL_MS,
    async poll(): Promise<void> {
      const mirror = await cache.fetch("(config)", opts.url);
      const rev = await resolveRevision(mirror, { ref: { kind: "branch", branch: opts.branch ?? "main" } });
      if (rev.sha === applied) return;
      const texts = await withTree(mirror, rev.sha, join(gitDir, "trees", CONFIG_TREES), async (tree) => {
        const root = join(tree, opts.path ?? ".");
        const files = await yamlFiles(root);
        return Promise.all(files.map(async (f) => ({ yaml: await readFile(f, "utf8"), origin: `${relative(root, f)}@${rev.sha.slice(0, 12)}` })));
      });
      await apply(texts);
      applied = rev.sha;
      log.info({ sha: rev.sha, files: texts.length }, "config source applied");
    },
  };
}

async function yamlFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && /\.ya?ml$/.test(e.name)).map((e) => join(e.parentPath, e.name)).sort();
}
