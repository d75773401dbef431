import { readdir, readFile, realpath, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import type { RenderProblem } from "./errors.js";
import { helmChartProblem, toolFileProblem } from "./hints.js";
import { parseStream, type Located } from "./parse-stream.js";

const MANIFEST_RE = /\.(ya?ml|json)$/i;

/**
 * Reads every *.yaml, *.yml and *.json under dir, recursively and in sorted order. Dot files
 * and dot directories (.github, .git) are skipped: they hold CI config, not manifests.
 * Symlinks are followed only while they stay inside root.
 */
export async function readManifestDir(root: string, dir: string, problems: RenderProblem[]): Promise<Located[]> {
  const realRoot = await realpath(root);
  const out: Located[] = [];
  const visited = new Set<string>();
  async function walk(current: string): Promise<void> {
    const real = await realpath(current);
    if (visited.has(real)) return;
    visited.add(real);
    const entries = (await readdir(current)).filter((n) => !n.startsWith(".")).sort();
    if (entries.includes("Chart.yaml")) return void problems.push(helmChartProblem(root, current));
    for (const name of entries) {
      const path = join(current, name);
      const file = relative(root, path);
      const target = await realpath(path).catch(() => undefined);
      if (!target || (target !== realRoot && !target.startsWith(realRoot + sep))) {
        problems.push({ file, message: "symlink points outside the repository or nowhere" });
        continue;
      }
      const info = await stat(target);
      if (info.isDirectory()) await walk(path);
      else if (info.isFile() && MANIFEST_RE.test(name)) {
        const toolFile = toolFileProblem(root, dir, path);
        if (toolFile) problems.push(toolFile);
        else out.push(...parseStream(await readFile(path, "utf8"), file, problems));
      }
    }
  }
  await walk(dir);
  return out;
}
