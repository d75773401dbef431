import { expect, it } from "vitest";
import { auditDetail } from "./rollouts.js";

const from = "a".repeat(40);
const to = "b".repeat(40);

it("shows an audit event's detail as key=value pairs, revisions shortened", () => {
  expect(auditDetail("rollout.started", { from, to, reason: "" })).toBe("from=aaaaaaaaaa to=bbbbbbbbbb");
});

it("sums up a group of clusters' transitions instead of listing its every name", () => {
  const clusters = Array.from({ length: 42 }, (_, i) => `c${i}`);
  expect(auditDetail("rollout.clusters", { from, to, was: "Updating", step: "Healthy", stage: "canary", message: "", clusters, count: 42 }))
    .toBe("from=aaaaaaaaaa to=bbbbbbbbbb 42 clusters Updating→Healthy in stage canary: c0, c1, c2, c3, c4, … (37 more)");
});
