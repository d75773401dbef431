import type { Db } from "../store/index.js";
import { createBatcher } from "../store/batch.js";
import { authenticateClusters, type ClusterRow } from "./clusters.js";
import { hashSecret } from "./secret-hash.js";

/** Who a cluster credential belongs to, as GetBundle and Connect need it. */
export interface ClusterIdentity {
  name: string;
  approved: boolean;
}

export interface CredentialCacheOptions {
  maxEntries?: number;
  /** Entries are read again after this long, so a change made by another hub on the same database is seen within it. */
  ttlMs?: number;
  now?: () => number;
}

/**
 * Cluster credential → identity, in memory: every GetBundle and Connect authenticates, and without
 * this each is a database read (10,000 agents fetching a commit's bundle: 10,000 reads). Only
 * approved clusters are kept (approval never goes back, a Pending cluster is read every time).
 * forget() must be called when a cluster is deleted or its credential rotated; the TTL bounds
 * what a hub that did not see the change serves.
 */
export function createCredentialCache(db: Db, opts: CredentialCacheOptions = {}) {
  const maxEntries = opts.maxEntries ?? 100_000;
  const ttlMs = opts.ttlMs ?? 60_000;
  const now = opts.now ?? Date.now;
  const byHash = new Map<string, ClusterIdentity & { at: number }>();
  const hashOf = new Map<string, string>();
  // Misses that arrive together are read together: entries cached in one registration wave expire together.
  const reads = createBatcher((hashes: string[]) => authenticateClusters(db, hashes));

  function remember(hash: string, id: ClusterIdentity): void {
    if (!id.approved) return;
    forget(id.name);
    byHash.set(hash, { name: id.name, approved: true, at: now() });
    hashOf.set(id.name, hash);
    // Oldest first out; Maps iterate in insertion order.
    for (const [h, old] of byHash) {
      if (byHash.size <= maxEntries) break;
      byHash.delete(h);
      hashOf.delete(old.name);
    }
  }

  function forget(name: string): void {
    const hash = hashOf.get(name);
    if (hash === undefined) return;
    hashOf.delete(name);
    byHash.delete(hash);
  }

  return {
    /** The identity for a credential; a row read (and a typed error for unknown or deleted ones) when not cached. */
    async authenticate(credential: string): Promise<ClusterIdentity & { row?: ClusterRow }> {
      const hash = hashSecret(credential);
      const hit = byHash.get(hash);
      if (hit && now() - hit.at < ttlMs) return hit;
      if (hit) forget(hit.name);
      const row = await reads.add(hash);
      remember(hash, { name: row.name, approved: row.approved });
      return { name: row.name, approved: row.approved, row };
    },
    /** A credential just issued (registration): its first Connect needs no read. Replaces any older one of the cluster. */
    issued(credential: string, id: ClusterIdentity): void {
      forget(id.name);
      remember(hashSecret(credential), id);
    },
    forget,
    get size() {
      return byHash.size;
    },
  };
}

export type CredentialCache = ReturnType<typeof createCredentialCache>;
