import { expect, it } from "vitest";
import { createBackoff } from "./backoff.js";

it("grows exponentially up to the cap, jittered within the upper half, and resets", () => {
  const b = createBackoff(100, 1000, () => 1);
  expect([b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([100, 200, 400, 800, 1000]);
  b.reset();
  expect(b.next()).toBe(100);
  const low = createBackoff(100, 1000, () => 0);
  expect(low.next()).toBe(50);
});
