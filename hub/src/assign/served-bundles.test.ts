import { gunzipSync, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { createBundleCache } from "./served-bundles.js";

describe("bundle cache", () => {
  it("reads and compresses each bundle once, also under concurrent requests", async () => {
    let reads = 0;
    const cache = createBundleCache(async (d) => {
      reads++;
      await new Promise((r) => setTimeout(r, 5));
      return `text of ${d}`;
    });
    const served = await Promise.all(Array.from({ length: 100 }, () => cache.get("sha256:a")));
    expect(new Set(served).size).toBe(1);
    const again = await cache.get("sha256:a");
    expect(again).toBe(served[0]);
    expect(again!.raw.toString()).toBe("text of sha256:a");
    expect(gunzipSync(again!.gzip).toString()).toBe("text of sha256:a");
    expect(reads).toBe(1);
  });

  it("does not remember unknown digests and drops the least recently used beyond its size", async () => {
    // What one entry of 10 bytes weighs: its text and its gzip.
    const entry = 10 + gzipSync("a".repeat(10)).length;
    let reads = 0;
    const cache = createBundleCache(async (d) => {
      reads++;
      return d === "missing" ? undefined : d.repeat(10);
    }, Math.floor(2.5 * entry));
    expect(await cache.get("missing")).toBeUndefined();
    expect(await cache.get("missing")).toBeUndefined();
    expect(reads).toBe(2);
    await cache.get("a");
    await cache.get("b");
    await cache.get("a"); // a is now the most recent
    await cache.get("c"); // 3 entries > 2.5: b goes
    expect(cache.size).toBe(2);
    reads = 0;
    await cache.get("a");
    await cache.get("b");
    expect(reads).toBe(1);
  });
});
