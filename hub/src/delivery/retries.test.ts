import { afterEach, expect, it, vi } from "vitest";
import { createRetries } from "./retries.js";

afterEach(() => vi.useRealTimers());

it("backs off exponentially up to the maximum, one timer per key, and starts over after done", async () => {
  vi.useFakeTimers();
  const retries = createRetries(100, 500);
  const runs: number[] = [];
  const run = async () => void runs.push(Date.now());
  const start = Date.now();
  for (let i = 0; i < 5; i++) {
    retries.later("a", run);
    retries.later("a", run); // already waiting: no second timer
    await vi.runOnlyPendingTimersAsync();
  }
  expect(runs.map((t) => t - start)).toEqual([100, 300, 700, 1200, 1700]);
  retries.done("a");
  retries.later("a", run);
  await vi.runOnlyPendingTimersAsync();
  expect(runs.at(-1)! - runs.at(-2)!).toBe(100);
  retries.stop();
});
