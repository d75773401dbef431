import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { ObjectRefSchema } from "@gitfleet/shared/proto";
import { ago, isoTime, objectName, plural, short, when } from "./format.js";

describe("short", () => {
  it("cuts a commit SHA or digest to 7 digits", () => {
    expect(short("0123456789abcdef0123456789abcdef01234567")).toBe("0123456");
    expect(short("abc")).toBe("abc");
    expect(short("")).toBe("");
  });

  it("shows a chart revision (VERSION@sha256:…) as its version, and anything else as it is", () => {
    expect(short(`1.2.3@sha256:${"f".repeat(64)}`)).toBe("1.2.3");
    expect(short("v1.2.3")).toBe("v1.2.3");
    expect(short("release2026")).toBe("release2026");
    expect(short("ABCDEF0123456789")).toBe("ABCDEF0123456789");
  });
});

describe("ago", () => {
  const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
  const before = (ms: number) => ago(timestampFromMs(NOW - ms), NOW);
  it.each([
    [0, "0s ago"],
    [59_000, "59s ago"],
    [60_000, "1m ago"],
    [90 * 60_000, "2h ago"],
    [59 * 60_000, "59m ago"],
    [3_600_000, "1h ago"],
    [23 * 3_600_000, "23h ago"],
    [86_400_000, "1d ago"],
    [10 * 86_400_000, "10d ago"],
  ])("%i ms before → %s", (ms, text) => {
    expect(before(ms)).toBe(text);
  });

  it("reads a time ahead of this clock (skew) as just now, and no time as a dash", () => {
    expect(ago(timestampFromMs(NOW + 5000), NOW)).toBe("0s ago");
    expect(ago(undefined, NOW)).toBe("—");
  });
});

describe("when", () => {
  it("shows a time in the reader's locale, and no time as a dash", () => {
    const ms = Date.UTC(2026, 0, 2, 3, 4, 5);
    expect(when(timestampFromMs(ms))).toBe(new Date(ms).toLocaleString());
    expect(when(undefined)).toBe("—");
  });
});

describe("isoTime", () => {
  it("gives a time in UTC ISO 8601 for a <time> element, and nothing for no time", () => {
    expect(isoTime(timestampFromMs(Date.UTC(2026, 0, 2, 3, 4, 5, 6)))).toBe("2026-01-02T03:04:05.006Z");
    expect(isoTime(undefined)).toBeUndefined();
  });
});

describe("objectName", () => {
  it("names an object by kind, namespace and name; a cluster-scoped one without namespace", () => {
    expect(objectName(create(ObjectRefSchema, { kind: "Deployment", namespace: "web", name: "api" }))).toBe("Deployment web/api");
    expect(objectName(create(ObjectRefSchema, { kind: "Namespace", name: "web" }))).toBe("Namespace web");
    expect(objectName(undefined)).toBe("?");
  });
});

describe("plural", () => {
  it("takes the singular for one only", () => {
    expect([0, 1, 2].map((n) => `${n} ${plural(n, "cluster")}`)).toEqual(["0 clusters", "1 cluster", "2 clusters"]);
  });
});
