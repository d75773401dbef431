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
    }, 2);
    const out = await Promise.allSettled([1, 2, 0, 3].map((n) => b.add(n)));
    expect(sizes).toEqual([2, 2]);
    expect(out.map((s) => s.status)).toEqual(["fulfilled", "fulfilled", "rejected", "rejected"]);
    expect(b.pending).toBe(0);
  });
});
