import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { readBuildInfo, versionLine } from "./build-info.js";

describe("build info", () => {
  const dirs: string[] = [];
  const pkg = (buildInfo?: string) => {
    const dir = mkdtempSync(join(tmpdir(), "gitfleet-build-info-"));
    dirs.push(dir);
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "x", version: "1.2.3" }));
    if (buildInfo !== undefined) {
      mkdirSync(join(dir, "dist"));
      writeFileSync(join(dir, "dist", "build-info.json"), buildInfo);
    }
    mkdirSync(join(dir, "dist", "src"), { recursive: true });
    return pathToFileURL(join(dir, "dist", "src", "main.js"));
  };
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it("reads the version from the nearest package.json and the commit stamped into its dist/", () => {
    const info = readBuildInfo(pkg(JSON.stringify({ commit: "0123456789ab" })));
    expect(info).toEqual({ version: "1.2.3", commit: "0123456789ab" });
    expect(versionLine("gitfleet-hub", info)).toBe("gitfleet-hub 1.2.3 (commit 0123456789ab)");
  });

  it("says the commit is unknown when the build was not stamped", () => {
    expect(readBuildInfo(pkg())).toEqual({ version: "1.2.3", commit: "unknown" });
  });
});
