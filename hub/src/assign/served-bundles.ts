import { promisify } from "node:util";
import { gzip } from "node:zlib";
import { createSingleFlight } from "../lib/concurrency.js";

const gzipAsync = promisify(gzip);

/** A bundle as GetBundle sends it: the manifest bytes, and the same gzip-compressed (once per digest). */
export interface ServedBundle {
  raw: Buffer;
  gzip: Buffer;
}

/**
 * Bundles by digest for agents' GetBundle, kept in memory encoded as they are sent (least recently
 * used out first, bounded by bytes). A bundle never changes, and a commit sends the same few
 * bundles to every cluster: without this each of N agents costs a database read of the whole
 * manifest text, and compressing it N times.
 */
export function createBundleCache(load: (digest: string) => Promise<string | undefined>, maxBytes = 64 * 1024 * 1024) {
  const cache = new Map<string, ServedBundle>();
  const once = createSingleFlight<ServedBundle | undefined>();
  let bytes = 0;
  const sizeOf = (b: ServedBundle) => b.raw.length + b.gzip.length;

  function remember(digest: string, bundle: ServedBundle): void {
    const size = sizeOf(bundle);
    if (size > maxBytes) return;
    cache.set(digest, bundle);
    bytes += size;
    for (const [d, b] of cache) {
      if (bytes <= maxBytes) break;
      cache.delete(d);
      bytes -= sizeOf(b);
    }
  }

  return {
    async get(digest: string): Promise<ServedBundle | undefined> {
      const hit = cache.get(digest);
      if (hit !== undefined) {
        cache.delete(digest);
        cache.set(digest, hit);
        return hit;
      }
      return once(digest, async () => {
        const text = await load(digest);
        if (text === undefined) return undefined;
        const raw = Buffer.from(text);
        const bundle = { raw, gzip: await gzipAsync(raw) };
        remember(digest, bundle);
        return bundle;
      });
    },
    get size() {
      return cache.size;
    },
    get bytes() {
      return bytes;
    },
  };
}
