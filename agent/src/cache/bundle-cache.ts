import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { bundleDigest, DEFAULT_MAX_BUNDLE_BYTES, type InlineBundle, type Logger } from "@gitfleet/shared";
import { writeAtomic } from "../files.js";

/** Fetches a bundle's text from the hub by digest. */
export type BundleFetcher = (digest: string) => Promise<string>;

export interface BundleCache {
  /** The bundle text for a digest, verified: from disk, else offered inline, else fetched; stored. */
  get(digest: string): Promise<string>;
  /** The bundles that came inline on the latest AssignmentSet; they replace those offered before. */
  offer(bundles: readonly InlineBundle[]): void;
}

export class BundleDigestError extends Error {
  override name = "BundleDigestError";
}

function verified(digest: string, text: string, from: string): string {
  const actual = bundleDigest(text);
  if (actual !== digest) throw new BundleDigestError(`bundle ${digest} ${from} has digest ${actual}`);
  return text;
}

/**
 * The manifests of a bundle that came inline on an AssignmentSet, verified as a fetched one is.
 * Inflated synchronously: inline bundles are small (the hub sends at most 64 KiB gzip-compressed),
 * and the thread-pool hand-off of the async inflate costs more than the inflate. Bounded by the
 * hub's default --max-bundle-size, so a bad payload cannot take the agent's memory.
 */
export function inflateInline(bundle: Pick<InlineBundle, "digest" | "gzip">): string {
  return verified(bundle.digest, gunzipSync(bundle.gzip, { maxOutputLength: DEFAULT_MAX_BUNDLE_BYTES }).toString("utf8"), "sent inline");
}

/** `log` hears of an inline bundle refused (the bundle is fetched from the hub instead). */
export function createBundleCache(stateDir: string, fetch: BundleFetcher, log?: Pick<Logger, "warn">): BundleCache {
  const dir = join(stateDir, "bundles");
  // The latest set's only: one message's worth, which gRPC's receive limit bounds.
  let offered = new Map<string, InlineBundle>();

  function takeOffered(digest: string): string | undefined {
    const bundle = offered.get(digest);
    if (!bundle) return undefined;
    try {
      return inflateInline(bundle);
    } catch (err) {
      log?.warn({ digest, err: (err as Error).message }, "inline bundle refused: fetching it from the hub");
      return undefined;
    }
  }

  return {
    async get(digest) {
      const path = join(dir, digest.replace(/[^a-zA-Z0-9:._-]/g, "_"));
      const cached = await readFile(path, "utf8").catch(() => undefined);
      // A corrupted cache file is refetched, never used.
      if (cached !== undefined && bundleDigest(cached) === digest) return cached;
      const text = takeOffered(digest) ?? verified(digest, await fetch(digest), "from the hub");
      await writeAtomic(path, text);
      return text;
    },
    offer(bundles) {
      offered = new Map(bundles.map((b) => [b.digest, b]));
    },
  };
}
