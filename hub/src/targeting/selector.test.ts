import { describe, expect, it } from "vitest";
import { firstMatch, selectorText, selects, type TargetSelector } from "./index.js";

const c = (name: string, labels: Record<string, string>) => ({ name, labels });
const prod = c("p1", { env: "prod", region: "eu", "gitfleet.dev/group": "edge" });
const staging = c("s1", { env: "staging" });
const bare = c("b1", {});

describe("selects", () => {
  it.each<[string, TargetSelector, boolean[]]>([
    ["matchLabels", { clusterSelector: { matchLabels: { env: "prod" } } }, [true, false, false]],
    ["matchLabels, several", { clusterSelector: { matchLabels: { env: "prod", region: "us" } } }, [false, false, false]],
    ["In", { clusterSelector: { matchExpressions: [{ key: "env", operator: "In", values: ["prod", "staging"] }] } }, [true, true, false]],
    ["NotIn matches a missing key", { clusterSelector: { matchExpressions: [{ key: "env", operator: "NotIn", values: ["prod"] }] } }, [false, true, true]],
    ["Exists", { clusterSelector: { matchExpressions: [{ key: "region", operator: "Exists" }] } }, [true, false, false]],
    ["DoesNotExist", { clusterSelector: { matchExpressions: [{ key: "region", operator: "DoesNotExist" }] } }, [false, true, true]],
    ["labels and expressions together", { clusterSelector: { matchLabels: { env: "prod" }, matchExpressions: [{ key: "region", operator: "NotIn", values: ["eu"] }] } }, [false, false, false]],
    ["empty selector selects all", { clusterSelector: {} }, [true, true, true]],
    ["group", { clusterGroup: "edge" }, [true, false, false]],
    ["names", { clusterNames: ["s1", "b1"] }, [false, true, true]],
  ])("%s", (_, sel, expected) => {
    expect([prod, staging, bare].map((cl) => selects(sel, cl))).toEqual(expected);
  });
});

describe("firstMatch", () => {
  it("gives the first target that selects the cluster", () => {
    const targets: TargetSelector[] = [{ clusterNames: ["p1"] }, { clusterSelector: { matchLabels: { env: "prod" } } }, { clusterSelector: {} }];
    expect(firstMatch(targets, prod)).toBe(0);
    expect(firstMatch(targets, c("p2", { env: "prod" }))).toBe(1);
    expect(firstMatch(targets, bare)).toBe(2);
    expect(firstMatch(targets.slice(0, 2), bare)).toBe(-1);
  });
});

describe("selectorText", () => {
  it("reads like kubectl", () => {
    expect(selectorText({ clusterSelector: { matchLabels: { env: "prod" }, matchExpressions: [
      { key: "tier", operator: "NotIn", values: ["a", "b"] }, { key: "gpu", operator: "Exists" }, { key: "old", operator: "DoesNotExist" },
    ] } })).toBe("env=prod,tier notin (a,b),gpu,!old");
    expect(selectorText({ clusterGroup: "edge" })).toBe("gitfleet.dev/group=edge");
    expect(selectorText({ clusterNames: ["a", "b"] })).toBe("names: a,b");
    expect(selectorText({ clusterSelector: {} })).toBe("(all clusters)");
  });
});
