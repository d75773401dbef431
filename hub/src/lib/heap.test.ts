// Vitest runs each file in its own process: the V8 flag this sets stays in it.
import v8 from "node:v8";
import { expect, it } from "vitest";
import { tuneHeap } from "./heap.js";

const newSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space")!.space_size / 1024 / 1024;

it("keeps the new space near the cap under an allocation burst that would grow it to 32 MB", async () => {
  const stop = tuneHeap({ youngGenerationMb: 4, heapGrowingPercent: 0 }, 5);
  const kept: object[] = [];
  // Objects that survive a few scavenges are what makes V8 grow the new space.
  for (let round = 0; round < 300; round++) {
    for (let i = 0; i < 20_000; i++) {
      const o = { i, s: `x${i}` };
      if (i % 50 === 0) kept.push(o);
    }
    if (kept.length > 200_000) kept.splice(0, 100_000);
    await new Promise((r) => setImmediate(r));
  }
  stop();
  // One growth past the cap at most: V8 doubles it from below 4 MB.
  expect(newSpace()).toBeLessThanOrEqual(8);
  expect(kept.length).toBeGreaterThan(0);
});
