import { describe, expect, it } from "vitest";
import { maxSatisfying, parseRange, parseVersion, satisfies } from "./semver.js";

const ok = (version: string, range: string) => satisfies(parseVersion(version)!, parseRange(range));

describe("semver", () => {
  it("parses versions with an optional v and ignores build metadata", () => {
    expect(parseVersion("v1.2.3")).toEqual({ major: 1, minor: 2, patch: 3, pre: [] });
    expect(parseVersion("1.2.3-rc.1+b5")?.pre).toEqual(["rc", "1"]);
    expect(parseVersion("release-1")).toBeUndefined();
    expect(parseVersion("1.2")).toBeUndefined();
  });

  it.each([
    ["1.2.3", "^1.2.0", true], ["1.9.0", "^1.2.0", true], ["2.0.0", "^1.2.0", false], ["1.1.9", "^1.2.0", false],
    ["0.2.5", "^0.2.1", true], ["0.3.0", "^0.2.1", false], ["0.0.4", "^0.0.3", false],
    ["1.2.9", "~1.2", true], ["1.3.0", "~1.2", false], ["1.2.4", "~1.2.3", true], ["1.9.0", "~1", true],
    ["1.5.0", ">=1.0.0 <2.0.0", true], ["2.0.0", ">=1.0.0 <2.0.0", false], ["0.9.9", ">=1.0.0 <2.0.0", false],
    ["1.7.1", "1.x", true], ["2.0.0", "1.x", false], ["1.2.7", "1.2.x", true], ["9.9.9", "*", true],
    ["1.2.3", "1.2.3", true], ["1.2.4", "1.2.3", false], ["1.2.3", "v1.2.3", true], ["1.2.3", "=1.2.3", true],
    ["1.3.0", ">1.2", true], ["1.2.9", ">1.2", false], ["1.2.9", "<=1.2", true], ["1.3.0", "<=1.2", false],
    ["3.0.0", "^1.0.0 || ^3.0.0", true],
    ["2.0.0-rc.1", "^1.0.0", false], ["2.0.0-rc.1", ">=1.0.0", false], ["2.0.0-rc.2", ">=2.0.0-rc.1", true],
  ])("%s satisfies %s: %s", (version, range, expected) => {
    expect(ok(version, range)).toBe(expected);
  });

  it("orders prereleases below the release", () => {
    expect(ok("1.0.0", ">1.0.0-rc.1")).toBe(true);
    expect(ok("1.0.0-rc.10", ">1.0.0-rc.9")).toBe(true);
  });

  it("rejects unparseable ranges", () => {
    expect(() => parseRange("^foo")).toThrow(/cannot parse "\^foo"/);
    expect(() => parseRange("^1 || ")).toThrow(/invalid semver range/);
  });

  it("picks the highest satisfying tag, ignoring non-semver tags", () => {
    const tags = ["v1.0.0", "v1.4.2", "v1.10.0", "v2.0.0", "latest", "v1.11.0-rc.1"];
    expect(maxSatisfying(tags, "^1.0.0")).toBe("v1.10.0");
    expect(maxSatisfying(tags, "~1.4")).toBe("v1.4.2");
    expect(maxSatisfying(tags, ">=3")).toBeUndefined();
  });
});
