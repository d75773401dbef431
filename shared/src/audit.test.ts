import { expect, it } from "vitest";
import { clustersSummary } from "./audit.js";

const group = { from: "a1", to: "b2", was: "Updating", step: "Healthy", stage: "canary", message: "", clusters: ["c1", "c2"], count: 2 };

it("sums up a group of cluster transitions in a line, the first names shown", () => {
  expect(clustersSummary("rollout.clusters", group)).toBe("2 clusters Updating→Healthy in stage canary: c1, c2");
  const many = Array.from({ length: 42 }, (_, i) => `c${i}`);
  expect(clustersSummary("rollout.clusters", { ...group, clusters: many, count: 42 })).toBe("42 clusters Updating→Healthy in stage canary: c0, c1, c2, c3, c4, … (37 more)");
});

it("shows a failure's message and a single cluster", () => {
  expect(clustersSummary("rollout.clusters", { ...group, step: "Failed", message: "Degraded: Deployment web: ProgressDeadlineExceeded", clusters: ["r4"], count: 1 }))
    .toBe("1 cluster Updating→Failed in stage canary (Degraded: Deployment web: ProgressDeadlineExceeded): r4");
});

it("leaves other rows alone", () => {
  expect(clustersSummary("rollout.started", group)).toBeUndefined();
  expect(clustersSummary("rollout.clusters", { from: "a1", to: "b2" })).toBeUndefined();
});
