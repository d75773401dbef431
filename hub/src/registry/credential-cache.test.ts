import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openStore, type Store } from "../store/index.js";
import { deleteCluster, registerCluster } from "./clusters.js";
import { createCredentialCache } from "./credential-cache.js";
import { createToken } from "./tokens.js";
import { hashSecret } from "./secret-hash.js";

// Counts hashes: a miss hashes the credential once, not again in the read.
vi.mock("./secret-hash.js", async (original) => {
  const real = await original<typeof import("./secret-hash.js")>();
  return { ...real, hashSecret: vi.fn(real.hashSecret) };
});

let dir = "";
let store: Store;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "gitfleet-credcache-"));
  store = await openStore({ dataDir: dir });
});
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function register(name: string, approvalRequired = false) {
  const { token } = await createToken(store.db, { labels: {} });
  return registerCluster(store.db, { token, name, labels: {}, agentVersion: "", kubernetesVersion: "" }, approvalRequired);
}

/** Counts cluster reads by wrapping the client's findUnique and findMany. */
function counted() {
  let reads = 0;
  const db = new Proxy(store.db, {
    get(target, prop) {
      if (prop !== "cluster") return Reflect.get(target, prop);
      return new Proxy(target.cluster, {
        get(c, p) {
          const v = Reflect.get(c, p);
          return p === "findUnique" || p === "findMany" ? (...args: unknown[]) => (reads++, (v as (...a: unknown[]) => unknown).apply(c, args)) : v;
        },
      });
    },
  });
  return { db, reads: () => reads };
}

describe("credential cache", () => {
  it("reads an approved cluster's credential once, and again after forget or its TTL", async () => {
    const { credential } = await register("c1");
    let now = 1_000;
    const { db, reads } = counted();
    const cache = createCredentialCache(db, { ttlMs: 5_000, now: () => now });
    expect(await cache.authenticate(credential)).toMatchObject({ name: "c1", approved: true });
    await cache.authenticate(credential);
    expect(reads()).toBe(1);
    cache.forget("c1");
    await cache.authenticate(credential);
    expect(reads()).toBe(2);
    now += 5_000;
    await cache.authenticate(credential);
    expect(reads()).toBe(3);
  });

  it("reads the credentials it misses at the same time in one query, and answers each on its own", async () => {
    const fleet = await Promise.all(Array.from({ length: 40 }, (_, i) => register(`wave-${i}`)));
    const { db, reads } = counted();
    const cache = createCredentialCache(db);
    const answers = await Promise.allSettled([...fleet.map((r) => cache.authenticate(r.credential)), cache.authenticate("not-a-credential")]);
    expect(answers.slice(0, 40).map((a) => (a.status === "fulfilled" ? a.value.name : a.reason))).toEqual(fleet.map((_, i) => `wave-${i}`));
    expect(answers[40]).toMatchObject({ status: "rejected", reason: { reason: "CLUSTER_UNKNOWN" } });
    // One batched read for all 41, then the unknown one alone for its typed error.
    expect(reads()).toBe(2);
    await Promise.all(fleet.map((r) => cache.authenticate(r.credential)));
    expect(reads()).toBe(2);
  });

  it("hashes a credential once on a miss, found or not", async () => {
    const { credential } = await register("h1");
    const cache = createCredentialCache(store.db);
    const hashes = vi.mocked(hashSecret);
    hashes.mockClear();
    await cache.authenticate(credential);
    await expect(cache.authenticate("gfc_unknown")).rejects.toMatchObject({ reason: "CLUSTER_UNKNOWN" });
    expect(hashes.mock.calls).toEqual([[credential], ["gfc_unknown"]]);
  });

  it("never keeps a Pending cluster, and a deleted one fails once forgotten", async () => {
    const pending = await register("p1", true);
    const { db, reads } = counted();
    const cache = createCredentialCache(db);
    await cache.authenticate(pending.credential);
    await cache.authenticate(pending.credential);
    expect(reads()).toBe(2);
    const { credential } = await register("d1");
    await cache.authenticate(credential);
    await deleteCluster(store.db, "d1");
    cache.forget("d1");
    await expect(cache.authenticate(credential)).rejects.toMatchObject({ reason: "CLUSTER_DELETED" });
  });

  it("knows a credential issued at registration, and forgets the one it replaced", async () => {
    const first = await register("r1");
    const { db, reads } = counted();
    const cache = createCredentialCache(db);
    cache.issued(first.credential, { name: "r1", approved: true });
    expect(await cache.authenticate(first.credential)).toMatchObject({ name: "r1" });
    expect(reads()).toBe(0);
    cache.issued("gfc_rotated", { name: "r1", approved: true });
    await expect(cache.authenticate(first.credential)).resolves.toMatchObject({ name: "r1" });
    expect(reads()).toBe(1);
  });

  it("holds at most maxEntries, dropping the oldest", async () => {
    const creds = [await register("m1"), await register("m2"), await register("m3")].map((r) => r.credential);
    const cache = createCredentialCache(store.db, { maxEntries: 2 });
    for (const c of creds) await cache.authenticate(c);
    expect(cache.size).toBe(2);
  });
});
