import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ROOT } from "./processes.js";

export interface Shipped {
  name: string;
  version: string;
  /** Workspace dir relative to the repository root. */
  dir: string;
  bin: Record<string, string>;
}

/** The workspaces that ship as npm packages: those whose package.json lists its "files". */
export function shippedPackages(): Shipped[] {
  const root = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { workspaces: string[] };
  return root.workspaces
    .map((dir) => ({ dir, pkg: JSON.parse(readFileSync(join(ROOT, dir, "package.json"), "utf8")) as { name: string; version: string; files?: string[]; bin?: Record<string, string> } }))
    .filter(({ pkg }) => pkg.files)
    .map(({ dir, pkg }) => ({ name: pkg.name, version: pkg.version, dir, bin: pkg.bin ?? {} }));
}

export function npm(args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("npm", args, { cwd, timeout: 540_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
      err ? reject(new Error(`npm ${args.join(" ")} failed: ${String(stderr) || err.message}`)) : resolve(String(stdout)),
    );
  });
}

/**
 * Packs every shipped workspace (built dist/ as it is) into dir and installs the tarballs together
 * into dir/app, an empty project: what a user gets from the registry, third-party dependencies
 * from the registry or npm's cache. Install scripts are skipped (no native SQLite build: minutes
 * on a loaded machine), so suites use PostgreSQL. Returns the app dir.
 */
export async function installPackedTarballs(dir: string): Promise<string> {
  const packages = shippedPackages();
  await npm(["pack", "--pack-destination", dir, ...packages.flatMap((p) => ["-w", p.dir])], ROOT);
  const tarballs = (await readdir(dir)).filter((f) => f.endsWith(".tgz")).map((f) => join(dir, f));
  const app = join(dir, "app");
  await mkdir(app);
  await writeFile(join(app, "package.json"), JSON.stringify({ name: "gitfleet-install-check", private: true }));
  await npm(["install", "--ignore-scripts", "--prefer-offline", "--no-audit", "--no-fund", ...tarballs], app);
  return app;
}
