/**
 * Bundles by digest for agents' GetBundle, kept in memory (least recently used out first). A
 * bundle never changes, and a commit sends the same few bundles to every cluster: without this
 * each of N agents costs a database read of the whole manifest text.
 */
export function createBundleCache(load: (digest: string) => Promise<string | undefined>, maxBytes = 64 * 1024 * 1024) {
  const cache = new Map<string, string>();
  const loading = new Map<string, Promise<string | undefined>>();
  let bytes = 0;

  function remember(digest: string, text: string): void {
    const size = Buffer.byteLength(text);
    if (size > maxBytes) return;
    cache.set(digest, text);
    bytes += size;
    for (const [d, t] of cache) {
      if (bytes <= maxBytes) break;
      cache.delete(d);
      bytes -= Buffer.byteLength(t);
    }
  }

  return {
    async get(digest: string): Promise<string | undefined> {
      const hit = cache.get(digest);
      if (hit !== undefined) {
        cache.delete(digest);
        cache.set(digest, hit);
        return hit;
      }
      let p = loading.get(digest);
      if (!p) {
        p = load(digest).then((text) => {
          if (text !== undefined) remember(digest, text);
          return text;
        }).finally(() => loading.delete(digest));
        loading.set(digest, p);
      }
      return p;
    },
    get size() {
      return cache.size;
    },
  };
}
