import { describe, expect, it } from "vitest";
import { createBundleCache } from "./served-bundles.js";

describe("bundle cache", () => {
  it("reads each bundle once, also under concurrent requests", async () => {
    let reads = 0;
    const cache = createBundleCache(async (d) => {
      reads++;
      await new Promise((r) => setTimeout(r, 5));
      return `text of ${d}`;
    });
    const texts = await Promise.all(Array.from({ length: 100 }, () => cache.get("sha256:a")));
    expect(new Set(texts)).toEqual(new Set(["text of sha256:a"]));
    expect(await cache.get("sha256:a")).toBe("text of sha256:a");
    expect(reads).toBe(1);
  });

  it("does not remember unknown digests and drops the least recently used beyond its size", async () => {
    let reads = 0;
    const cache = createBundleCache(async (d) => {
      reads++;
      return d === "missing" ? undefined : d.repeat(10);
    }, 25);
    expect(await cache.get("missing")).toBeUndefined();
    expect(await cache.get("missing")).toBeUndefined();
    expect(reads).toBe(2);
    await cache.get("a");
    await cache.get("b");
    await cache.get("a"); // a is now the most recent
    await cache.get("c"); // 30 bytes > 25: b goes
    expect(cache.size).toBe(2);
    reads = 0;
    await cache.get("a");
    await cache.get("b");
    expect(reads).toBe(1);
  });
});
