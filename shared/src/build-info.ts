import { readFileSync } from "node:fs";

export interface BuildInfo {
  version: string;
  /** The git commit the package was built from, "-dirty" when the tree had changes; "unknown" if unstamped. */
  commit: string;
}

/**
 * A package's version (its package.json) and build commit (dist/build-info.json, written at build
 * time by scripts/stamp-build.mjs). packageRoot is the package's directory URL.
 */
export function readBuildInfo(packageRoot: URL): BuildInfo {
  const { version } = JSON.parse(readFileSync(new URL("package.json", packageRoot), "utf8")) as { version: string };
  let commit = "unknown";
  try {
    commit = (JSON.parse(readFileSync(new URL("dist/build-info.json", packageRoot), "utf8")) as { commit?: string }).commit || commit;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  return { version, commit };
}

/** What `--version` prints: `gitfleet-hub 0.1.0 (commit 1a2b3c4d5e6f)`. */
export function versionLine(program: string, info: BuildInfo): string {
  return `${program} ${info.version} (commit ${info.commit})`;
}
