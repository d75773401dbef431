import { describe, expect, it } from "vitest";
import { formatLabels, LabelError, parseLabels, validateName } from "./labels.js";

describe("labels", () => {
  it("parses and formats k=v lists", () => {
    expect(parseLabels("env=prod, region=eu-1")).toEqual({ env: "prod", region: "eu-1" });
    expect(parseLabels("")).toEqual({});
    expect(formatLabels({ z: "1", a: "2" })).toBe("a=2,z=1");
  });
  it("rejects malformed labels with the offending text", () => {
    expect(() => parseLabels("env")).toThrow(/invalid label "env"/);
    expect(() => parseLabels("env=a b")).toThrow(LabelError);
    expect(() => parseLabels("-x=1")).toThrow(/invalid label key "-x"/);
  });
  it("validates names as DNS labels", () => {
    expect(() => validateName("cluster", "eu-west-1")).not.toThrow();
    expect(() => validateName("cluster", "EU")).toThrow(/invalid cluster name "EU"/);
  });
});
