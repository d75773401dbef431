import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { bundleDigest } from "@gitfleet/shared";
import { writeAtomic } from "../files.js";

/** Fetches a bundle's text from the hub by digest. */
export type BundleFetcher = (digest: string) => Promise<string>;

export interface BundleCache {
  /** The bundle text for a digest, verified: from disk, else fetched and stored. */
  get(digest: string): Promise<string>;
}

export class BundleDigestError extends Error {
  override name = "BundleDigestError";
}

export function createBundleCache(stateDir: string, fetch: BundleFetcher): BundleCache {
  const dir = join(stateDir, "bundles");
  return {
    async get(digest) {
      const path = join(dir, digest.replace(/[^a-zA-Z0-9:._-]/g, "_"));
      const cached = await readFile(path, "utf8").catch(() => undefined);
      // A corrupted cache file is refetched, never used.
      if (cached !== undefined && bundleDigest(cached) === digest) return cached;
      const text = await fetch(digest);
      const actual = bundleDigest(text);
      if (actual !== digest) throw new BundleDigestError(`bundle ${digest} from the hub has digest ${actual}`);
      await writeAtomic(path, text);
      return text;
    },
  };
}
