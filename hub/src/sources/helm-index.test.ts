import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ChartVersionNotFoundError } from "./errors.js";
import { chartRevision, chartUrl, chartVersions, indexUrl, parseChartRevision, pickVersion } from "./helm-index.js";

// What `helm repo index` writes, plus entries helm would not install (no URL, no SemVer version).
const index = `apiVersion: v1
entries:
  web:
  - apiVersion: v2
    appVersion: "1.27"
    created: "2026-12-01T10:00:00.000000000Z"
    description: A web server
    digest: 0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0
    maintainers: [{name: ops, email: ops@example.com}, {name: dev}]
    name: web
    urls: [web-1.1.0.tgz]
    version: 1.1.0
  - {name: web, version: 1.0.0, urls: [web-1.0.0.tgz]}
  - {name: web, version: 2.0.0, urls: ["https://charts.example/stable/web-2.0.0.tgz"]}
  - {name: web, version: 1.2.0-rc.1, urls: [web-1.2.0-rc.1.tgz]}
  - {name: web, version: 1.3.0, urls: []}
  - {name: web, version: latest, urls: [web-latest.tgz]}
  db:
  - {name: db, version: 0.1.0, urls: [db-0.1.0.tgz]}
generated: "2026-12-01T10:00:00Z"
`;

describe("chartVersions", () => {
  it("reads the versions of one chart with digest, time, description and maintainers", () => {
    const versions = chartVersions(index, "web");
    expect(versions.map((v) => v.version)).toEqual(["1.1.0", "1.0.0", "2.0.0", "1.2.0-rc.1"]);
    expect(versions[0]).toEqual({
      version: "1.1.0", urls: ["web-1.1.0.tgz"], digest: "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0",
      created: new Date("2026-12-01T10:00:00Z"), description: "A web server", appVersion: "1.27", maintainers: ["ops <ops@example.com>", "dev"],
    });
    expect(versions[1]!.digest).toBeUndefined();
  });

  it("gives no versions for a chart the index does not have", () => {
    expect(chartVersions(index, "cache")).toEqual([]);
  });

  it("reads the chart's block alone the same as the whole index, as YAML of other shapes and as JSON", () => {
    const asJson = JSON.stringify(parse(index));
    const flow = `entries: {web: [{name: web, version: 1.0.0, urls: [a.tgz]}]}\n`;
    const quoted = index.replace("  web:\n", '  "web":\n').replace("  db:\n", "  'db':\n");
    const commented = index.replace("entries:\n", "entries:\n  # charts\n\n");
    for (const chart of ["web", "db", "cache"]) {
      const whole = chartVersions(asJson, chart);
      expect(chartVersions(index, chart)).toEqual(whole);
      expect(chartVersions(quoted, chart)).toEqual(whole);
      expect(chartVersions(commented, chart)).toEqual(whole);
    }
    expect(chartVersions(flow, "web").map((v) => v.version)).toEqual(["1.0.0"]);
    expect(() => chartVersions("{entries", "web")).toThrow(/index\.yaml is not JSON/);
  });

  it.each([
    ["<html>not found</html>", /no entries: not a Helm repository index/],
    ["entries: [", /not YAML/],
    ["apiVersion: v1\nentries: {web: {version: 1.0.0}}\n", /entries\.web is not a list/],
  ])("refuses what is no index: %j", (text, message) => {
    expect(() => chartVersions(text, "web")).toThrow(message);
  });
});

describe("pickVersion", () => {
  const versions = chartVersions(index, "web");

  it.each([
    ["^1.0.0", "1.1.0"],
    ["~1.0", "1.0.0"],
    ["1.0.0", "1.0.0"],
    ["*", "2.0.0"],
    [">=1.0.0 <3", "2.0.0"],
    ["1.2.0-rc.1", "1.2.0-rc.1"],
  ])("takes the highest version satisfying %s (pre-releases only when asked for)", (range, want) => {
    expect(pickVersion("charts", "web", versions, range).version).toBe(want);
  });

  it("lists the available versions, newest first, when none satisfies the range", () => {
    let err: unknown;
    try {
      pickVersion("charts", "web", versions, "^3.0.0");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ChartVersionNotFoundError);
    expect((err as ChartVersionNotFoundError).available).toEqual(["2.0.0", "1.2.0-rc.1", "1.1.0", "1.0.0"]);
    expect((err as Error).message).toBe('source "charts": no revision matches chart "web" version "^3.0.0": available: 2.0.0, 1.2.0-rc.1, 1.1.0, 1.0.0');
  });

  it("says the chart is not in the index when it has no versions", () => {
    expect(() => pickVersion("charts", "cache", [], "*")).toThrow(/the repository's index\.yaml has no chart "cache"/);
  });
});

describe("chartUrl", () => {
  const v = (url: string) => ({ version: "1.0.0", urls: [url], description: "", appVersion: "", maintainers: [] });

  it("resolves relative URLs against the repository, with or without a trailing slash", () => {
    expect(chartUrl("https://charts.example/stable", v("web-1.0.0.tgz"))).toBe("https://charts.example/stable/web-1.0.0.tgz");
    expect(chartUrl("https://charts.example/stable/", v("pkg/web-1.0.0.tgz"))).toBe("https://charts.example/stable/pkg/web-1.0.0.tgz");
    expect(chartUrl("https://charts.example/stable", v("https://charts.example/stable/web-1.0.0.tgz"))).toBe("https://charts.example/stable/web-1.0.0.tgz");
    expect(indexUrl("http://127.0.0.1:8080/charts")).toBe("http://127.0.0.1:8080/charts/index.yaml");
  });

  it.each([
    "https://other.example/stable/web-1.0.0.tgz",
    "http://charts.example/stable/web-1.0.0.tgz",
    "https://charts.example/unstable/web-1.0.0.tgz",
    "../web-1.0.0.tgz",
    "//evil.example/web.tgz",
    "https://u:p@charts.example/stable/web-1.0.0.tgz",
  ])("refuses %s: outside the repository URL", (url) => {
    expect(chartUrl("https://charts.example/stable", v(url))).toBeUndefined();
  });
});

describe("chart revisions", () => {
  it("are the version and a digest prefix, and parse back", () => {
    const rev = chartRevision("1.2.3+build.4", "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0");
    expect(rev).toBe("1.2.3+build.4@sha256:0f1e2d3c4b5a");
    expect(parseChartRevision(rev)).toEqual({ version: "1.2.3+build.4", digest: "0f1e2d3c4b5a" });
    expect(parseChartRevision("0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c")).toBeUndefined();
  });
});
