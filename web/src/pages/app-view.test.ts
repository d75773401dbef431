import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { ClusterAppStatusSchema, TargetSummarySchema } from "@gitfleet/shared/proto";
import { bundleText, targetClusters } from "./app-view.js";

describe("targetClusters", () => {
  const clusters = [
    create(ClusterAppStatusSchema, { cluster: "prod-eu", target: "prod" }),
    create(ClusterAppStatusSchema, { cluster: "staging-eu", target: "staging" }),
    create(ClusterAppStatusSchema, { cluster: "prod-us", target: "prod" }),
  ];
  it("lists the clusters of one target as the hub ordered them, or none", () => {
    expect(targetClusters("prod", clusters)).toBe("prod-eu, prod-us");
    expect(targetClusters("staging", clusters)).toBe("staging-eu");
    expect(targetClusters("canary", clusters)).toBe("none");
  });
});

describe("bundleText", () => {
  it("shows a shared bundle by its digest's first 7 digits", () => {
    expect(bundleText(create(TargetSummarySchema, { bundleDigest: `sha256:${"0123456789".repeat(6)}0123`, bundles: 1 }))).toBe("0123456");
  });

  it("counts the bundles of a target whose clusters differ, and shows nothing when none was rendered", () => {
    expect(bundleText(create(TargetSummarySchema, { bundles: 3 }))).toBe("3 bundles (per cluster)");
    expect(bundleText(create(TargetSummarySchema, { bundles: 1 }))).toBe("");
    expect(bundleText(create(TargetSummarySchema, { bundles: 0 }))).toBe("");
  });
});
