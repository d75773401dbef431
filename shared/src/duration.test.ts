import { expect, it } from "vitest";
import { parseDuration } from "./duration.js";

it("parses durations with units and rejects bare numbers", () => {
  expect(parseDuration("30s")).toBe(30_000);
  expect(parseDuration("1h30m")).toBe(5_400_000);
  expect(parseDuration("2d")).toBe(172_800_000);
  expect(() => parseDuration("10", "ttl")).toThrow(/invalid ttl "10"/);
  expect(() => parseDuration("5 minutes")).toThrow(/use a number with a unit/);
});
