import { expect, it } from "vitest";
import { parseSelector, SelectorSyntaxError } from "./parse-selector.js";
import { selects } from "./selector.js";

it("parses every kubectl selector form", () => {
  expect(parseSelector("env=prod, tier in (a, b),gpu,!old,zone!=x")).toEqual({
    matchLabels: { env: "prod" },
    matchExpressions: [
      { key: "tier", operator: "In", values: ["a", "b"] },
      { key: "gpu", operator: "Exists" },
      { key: "old", operator: "DoesNotExist" },
      { key: "zone", operator: "NotIn", values: ["x"] },
    ],
  });
  expect(parseSelector("")).toEqual({ matchLabels: {}, matchExpressions: [] });
});

it("matches clusters through the target selector rules", () => {
  const sel = { clusterSelector: parseSelector("env notin (prod),region") };
  expect(selects(sel, { name: "a", labels: { env: "dev", region: "eu" } })).toBe(true);
  expect(selects(sel, { name: "b", labels: { env: "prod", region: "eu" } })).toBe(false);
});

it("names the bad term", () => {
  expect(() => parseSelector("env=prod,tier in a")).toThrow(SelectorSyntaxError);
  expect(() => parseSelector("env=prod,tier in a")).toThrow(/"tier in a"/);
});
