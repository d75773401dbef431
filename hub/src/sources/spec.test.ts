import { describe, expect, it } from "vitest";
import { SourceSpecError } from "./errors.js";
import { parseSourceSpec, type GitSourceSpec } from "./spec.js";

/** A Git Source's spec (the default type); fails the test on any other. */
function gitSpec(input: unknown): GitSourceSpec {
  const spec = parseSourceSpec(input);
  if (spec.type !== "git") throw new Error(`want a git Source spec, got type ${spec.type}`);
  return spec;
}

const url = "https://git.example.com/fleet.git";
const fieldOf = (input: unknown): string => {
  try {
    parseSourceSpec(input);
  } catch (err) {
    if (err instanceof SourceSpecError) return err.field;
    throw err;
  }
  throw new Error("no error");
};

describe("parseSourceSpec", () => {
  it("defaults to branch main and a 1m interval", () => {
    expect(parseSourceSpec({ url })).toEqual({ type: "git", url, ref: { kind: "branch", branch: "main" }, intervalMs: 60_000 });
  });

  it("parses each selector, the interval and secretRef", () => {
    expect(parseSourceSpec({ url, tag: "v1.0.0", interval: "30s" })).toMatchObject({ ref: { kind: "tag", tag: "v1.0.0" }, intervalMs: 30_000 });
    expect(parseSourceSpec({ url, semver: "^1.2.0", interval: "5m" })).toMatchObject({ ref: { kind: "semver", range: "^1.2.0" }, intervalMs: 300_000 });
    expect(gitSpec({ url, commit: "ABCDEF1" }).ref).toEqual({ kind: "commit", commit: "abcdef1" });
    expect(gitSpec({ url: "git@github.com:org/repo.git", secretRef: { name: "deploy-key" } }).secretRef).toEqual({ name: "deploy-key" });
  });

  it("parses a Helm repository Source: chart, exact version or range (default any), interval", () => {
    const repo = "https://charts.example/stable";
    expect(parseSourceSpec({ type: "helm", url: repo, chart: "web", version: "^1.2", interval: "10m" })).toEqual({ type: "helm", url: repo, chart: "web", version: "^1.2", intervalMs: 600_000 });
    expect(parseSourceSpec({ type: "helm", url: repo, chart: "web" })).toMatchObject({ version: "*", intervalMs: 60_000 });
    expect(parseSourceSpec({ type: "helm", url: repo, chart: "web", version: "1.2.3" })).toMatchObject({ version: "1.2.3" });
  });

  it.each([
    [{ type: "oci", url }, "type"],
    [{ type: "helm", url: "git@github.com:org/charts.git", chart: "web" }, "url"],
    [{ type: "helm", url: "https://charts.example/?q=1", chart: "web" }, "url"],
    [{ type: "helm", url: "https://charts.example" }, "chart"],
    [{ type: "helm", url: "https://charts.example", chart: "../web" }, "chart"],
    [{ type: "helm", url: "https://charts.example", chart: "web", version: "^banana" }, "version"],
    [{ type: "helm", url: "https://charts.example", chart: "web", branch: "main" }, "branch"],
    [{}, "url"],
    [{ url: "ftp://x/y" }, "url"],
    [{ url: "--upload-pack=evil" }, "url"],
    [{ url, branch: "main", tag: "v1" }, "branch/tag"],
    [{ url, branch: "" }, "branch"],
    [{ url, branch: "-evil" }, "branch"],
    [{ url, tag: "a..b" }, "tag"],
    [{ url, semver: "^banana" }, "semver"],
    [{ url, commit: "xyz" }, "commit"],
    [{ url, interval: "soon" }, "interval"],
    [{ url, interval: 30 }, "interval"],
    [{ url, interval: "0s" }, "interval"],
    [{ url, secretRef: {} }, "secretRef.name"],
    [{ url, brnach: "main" }, "brnach"],
    ["nope", "(root)"],
  ])("rejects %j naming field %s", (input, field) => {
    expect(fieldOf(input)).toBe(field);
  });
});
