import { describe, expect, it } from "vitest";
import { ignoreRules } from "./ignore.js";

describe("ignoreRules", () => {
  it("matches kind with or without group, and everything below the path", () => {
    const rules = ignoreRules(["apps/Deployment:spec.replicas", "ConfigMap:data", "bogus"]);
    const ignore = rules.matches;
    expect(ignore("apps/v1", "Deployment", "spec.replicas")).toBe(true);
    expect(ignore("apps/v1", "Deployment", "spec.replicasX")).toBe(false);
    expect(ignore("extensions/v1beta1", "Deployment", "spec.replicas")).toBe(false);
    expect(ignore("v1", "ConfigMap", "data.key")).toBe(true);
    expect(ignore("v1", "ConfigMap", 'data["a.b"]')).toBe(true);
    expect(ignore("v1", "Secret", "data.key")).toBe(false);
    expect(rules.paths("apps/v1", "Deployment")).toEqual(["spec.replicas"]);
  });
});
