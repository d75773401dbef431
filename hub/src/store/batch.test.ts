import { describe, expect, it } from "vitest";
import { createBatcher, fulfilled, rejected } from "./batch.js";

describe("createBatcher", () => {
  it("puts calls made while a batch runs into the next batch, and answers each item", async () => {
    const batches: number[][] = [];
    const b = createBatcher(async (items: number[]) => {
      batches.push(items);
      await new Promise((r) => setTimeout(r, 5));
      return items.map((n) => (n % 2 ? fulfilled(n * 10) : rejected(new Error(`even ${n}`))));
    });
    const first = b.add(1);
    await new Promise((r) => setImmediate(r));
    const rest = [3, 4, 5].map((n) => b.add(n));
    expect(await first).toBe(10);
    const settled = await Promise.allSettled(rest);
    expect(batches).toEqual([[1], [3, 4, 5]]);
    expect(settled.map((s) => (s.status === "fulfilled" ? s.value : (s.reason as Error).message))).toEqual([30, "even 4", 50]);
  });

  it("splits at maxItems and fails a whole batch when run throws", async () => {
    const sizes: number[] = [];
    const b = createBatcher(async (items: number[]) => {
      sizes.push(items.length);
      if (items.includes(0)) throw new Error("store down");
      return items.map((n) => fulfilled(n));
    }, { maxItems: 2 });
    const out = await Promise.allSettled([1, 2, 0, 3].map((n) => b.add(n)));
    expect(sizes).toEqual([2, 2]);
    expect(out.map((s) => s.status)).toEqual(["fulfilled", "fulfilled", "rejected", "rejected"]);
    expect(b.pending).toBe(0);
  });

  it("starts a batch no sooner than spacingMs after the previous one, gathering the calls made meanwhile", async () => {
    const batches: { at: number; items: number[] }[] = [];
    const began = Date.now();
    const b = createBatcher(async (items: number[]) => {
      batches.push({ at: Date.now() - began, items });
      return items.map((n) => fulfilled(n));
    }, { spacingMs: 100 });
    const first = b.add(1);
    await first;
    // Arriving one by one, each in a later turn of the event loop, while the spacing runs: one batch, not three.
    const rest: Promise<number>[] = [];
    for (const n of [2, 3, 4]) {
      rest.push(b.add(n));
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(rest);
    expect(batches.map((x) => x.items)).toEqual([[1], [2, 3, 4]]);
    expect(batches[1]!.at - batches[0]!.at).toBeGreaterThanOrEqual(95);
  });
});
