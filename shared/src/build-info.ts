import { existsSync, readFileSync } from "node:fs";

export interface BuildInfo {
  version: string;
  /** The git commit the package was built from, "-dirty" when the tree had changes; "unknown" if unstamped. */
  commit: string;
}

/**
 * The version (package.json) and build commit (dist/build-info.json, written at build time by
 * scripts/stamp-build.mjs) of the package holding the module at moduleUrl (pass import.meta.url).
 */
export function readBuildInfo(moduleUrl: string | URL): BuildInfo {
  const packageRoot = findPackageRoot(new URL(".", moduleUrl));
  const { version } = JSON.parse(readFileSync(new URL("package.json", packageRoot), "utf8")) as { version: string };
  let commit = "unknown";
  try {
    commit = (JSON.parse(readFileSync(new URL("dist/build-info.json", packageRoot), "utf8")) as { commit?: string }).commit || commit;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  return { version, commit };
}

function findPackageRoot(dir: URL): URL {
  for (let at = dir; ; at = new URL("..", at)) {
    if (existsSync(new URL("package.json", at))) return at;
    if (at.pathname === "/") throw new Error(`no package.json above ${dir.pathname}`);
  }
}

/** What `--version` prints: `gitfleet-hub 0.1.0 (commit 1a2b3c4d5e6f)`. */
export function versionLine(program: string, info: BuildInfo): string {
  return `${program} ${info.version} (commit ${info.commit})`;
}
