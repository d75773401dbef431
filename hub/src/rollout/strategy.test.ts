import { describe, expect, it } from "vitest";
import { FieldError } from "../definitions/fields.js";
import { stageOf } from "./stages.js";
import type { ClusterFacts } from "../targeting/index.js";
import { limitOf, parseRolloutSpec, resolveStrategy } from "./strategy.js";

const parse = (v: unknown) => parseRolloutSpec(v, "spec.rollout");
const fieldError = (v: unknown) => {
  try {
    parse(v);
  } catch (err) {
    if (err instanceof FieldError) return `${err.field}: ${err.message}`;
    throw err;
  }
  return "no error";
};

describe("spec.rollout", () => {
  it("defaults to one stage, 25% (at least one) at a time, 10m deadline, rollback on the first failure", () => {
    const s = resolveStrategy(undefined);
    expect(s).toMatchObject({ progressDeadlineMs: 600_000, maxFailures: 0, onFailure: "rollback" });
    expect(s.stages).toEqual([{ name: "remaining", select: { rest: true }, maxUnavailable: { percent: 25 }, bakeMs: 0, manual: false }]);
    expect([1, 3, 4, 8, 100].map((n) => limitOf(s.stages[0]!.maxUnavailable, n))).toEqual([1, 1, 1, 2, 25]);
  });

  it("parses the documented shape", () => {
    const spec = parse({
      progressDeadline: "5m", maxFailures: 1, onFailure: "pause",
      stages: [{ name: "canary", clusterSelector: { matchLabels: { ring: "canary" } }, bakeTime: "2m" }, { name: "early", percent: 25, maxUnavailable: 2, approval: "manual" }, { name: "rest", maxUnavailable: "25%", count: 100 }],
    });
    const s = resolveStrategy(spec);
    expect(s.stages.map((x) => [x.name, x.bakeMs, x.manual, x.maxUnavailable])).toEqual([["canary", 120_000, false, { percent: 25 }], ["early", 0, true, { count: 2 }], ["rest", 0, false, { percent: 25 }], ["remaining", 0, false, { percent: 25 }]]);
    expect(s).toMatchObject({ progressDeadlineMs: 300_000, maxFailures: 1, onFailure: "pause" });
  });

  it("names the field and the problem for every bad value", () => {
    expect(fieldError({ maxUnavailable: "0%" })).toBe("spec.rollout.maxUnavailable: want a whole percentage from 1 to 100");
    expect(fieldError({ maxUnavailable: 0 })).toBe("spec.rollout.maxUnavailable: want a whole number >= 1");
    expect(fieldError({ maxUnavailable: "half" })).toMatch(/^spec.rollout.maxUnavailable: want a whole number of clusters/);
    expect(fieldError({ onFailure: "explode" })).toBe("spec.rollout.onFailure: want rollback or pause");
    expect(fieldError({ progressDeadline: "soon" })).toBe('spec.rollout.progressDeadline: want a duration such as 90s, 10m or 1h, got "soon"');
    expect(fieldError({ maxFailures: -1 })).toBe("spec.rollout.maxFailures: want a whole number >= 0");
    expect(fieldError({ stages: [{ name: "a" }] })).toBe("spec.rollout.stages[0]: set exactly one of clusterSelector, clusterNames, count, percent");
    expect(fieldError({ stages: [{ name: "a", count: 1, percent: 5 }] })).toBe("spec.rollout.stages[0]: set exactly one of clusterSelector, clusterNames, count, percent");
    expect(fieldError({ stages: [{ name: "a", count: 1 }, { name: "a", count: 1 }] })).toBe('spec.rollout.stages[1].name: duplicate stage name "a"');
    expect(fieldError({ stages: [{ name: "a", percent: 150 }] })).toBe("spec.rollout.stages[0].percent: want a whole percentage from 1 to 100");
    expect(fieldError({ stages: [{ name: "a", count: 1, approval: "auto" }] })).toBe("spec.rollout.stages[0].approval: want manual (or leave it out)");
    expect(fieldError({ stages: [{ name: "a", count: 1, bake: "1m" }] })).toMatch(/^spec.rollout.stages\[0\].bake: unknown field/);
    expect(fieldError({ stages: [{ name: "remaining", count: 1 }] })).toMatch(/implicit last stage/);
  });

  it("splits clusters into stages in name order from those no earlier stage took", () => {
    const s = resolveStrategy(parse({ stages: [{ name: "named", clusterNames: ["h"] }, { name: "canary", clusterSelector: { matchLabels: { ring: "canary" } } }, { name: "half", percent: 50 }, { name: "two", count: 2 }] }));
    const clusters = ["h", "g", "f", "e", "d", "c", "b", "a"].map((name): ClusterFacts => ({ name, labels: name === "c" ? { ring: "canary" } : {} }));
    const stages = stageOf(s, clusters);
    expect(Object.fromEntries([...stages].sort())).toEqual({ a: 2, b: 2, c: 1, d: 2, e: 3, f: 3, g: 4, h: 0 });
    const rest = stageOf(resolveStrategy(parse({ stages: [{ name: "one", count: 1 }] })), clusters);
    expect(rest.get("a")).toBe(0);
    expect(rest.get("h")).toBe(1);
  });
});
