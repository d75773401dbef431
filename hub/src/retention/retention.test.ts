// Retention against a real SQLite store and trees on disk: what goes, what a reference, the grace or a
// render holding a tree keeps.
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync } from "node:fs";
import { utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, type Store } from "../store/index.js";
import { PROVIDERS, storeOn } from "../store/test-store.js";
import { CONFIG_TREES, withTree } from "../sources/index.js";
import { createRetention } from "./index.js";

const dir = mkdtempSync(join(tmpdir(), "gitfleet-retention-"));
const trees = join(dir, "git", "trees");
const HOUR = 3600_000;
const now = Date.now();
const old = new Date(now - 2 * HOUR);
const [C1, C2, C3, C4] = ["1", "2", "3", "4"].map((c) => c.repeat(40)) as [string, string, string, string];
const digest = (n: string) => `sha256:${n}`;
let store: Store;

function tree(parent: string, name: string, usedAt: Date): string {
  const path = join(trees, parent, name);
  mkdirSync(join(path, "web"), { recursive: true });
  utimesSync(path, usedAt, usedAt);
  return path;
}

beforeAll(async () => {
  store = await openStore({ dataDir: dir });
  const { db } = store;
  await db.source.create({ data: { name: "apps", spec: JSON.stringify({ url: "https://git.example/apps.git", branch: "main" }), lastRevision: C4 } });
  await db.app.create({ data: { name: "web", spec: JSON.stringify({ source: "apps", path: "web", targets: [{ name: "all", clusterSelector: {} }] }), revision: C4 } });
  for (const [i, sha] of [C1, C2, C3, C4].entries()) {
    await db.revision.create({ data: { sourceName: "apps", sha, ref: "refs/heads/main", author: "Ada", message: `v${i + 1}`, committedAt: old, fetchedAt: new Date(old.getTime() + i * 1000) } });
    await db.render.create({ data: { key: `apps@${sha}:web:`, digest: digest(String(i + 1)), createdAt: old } });
  }
  for (const [d, usedAt] of [["1", old], ["2", old], ["3", old], ["4", old], ["recent", new Date(now)], ["orphan", old]] as const) {
    await db.bundle.create({ data: { digest: digest(d), manifests: "x".repeat(100), objects: 1, size: 100, createdAt: old, usedAt } });
  }
  // The cluster runs v4 and may roll back to v2's bundle (its previous assignment).
  await db.assignment.create({ data: { clusterName: "one", app: "web", target: "all", revision: C4, bundleDigest: digest("4"), previousDigest: digest("2") } });
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("retention", () => {
  it("removes what no reference, grace or reader keeps, and says how much", async () => {
    const paths = { c1: tree("apps", C1, old), c2: tree("apps", C2, old), c4: tree("apps", C4, old), config: tree(CONFIG_TREES, C3, old), tmp: tree("apps", `.tmp-${C3.slice(0, 12)}-ab`, new Date(now)) };
    const retention = createRetention({ db: store.db, log: pino({ level: "silent" }), dataDir: dir }, { keepRevisions: 0, graceMs: HOUR });
    // A render reads v2's tree while retention runs (and it looks unused for hours).
    let release!: () => void;
    let entered!: () => void;
    const reading = new Promise<void>((r) => (entered = r));
    const held = withTree({ sourceName: "apps", url: "", dir: "" }, C2, join(trees, "apps"), async (d) => {
      await utimes(d, old, old);
      entered();
      await new Promise<void>((r) => (release = r));
    });
    await reading;
    const removed = { ...(await retention.pruneStore(new Date(now))), ...(await retention.pruneTrees(new Date(now))) };
    release();
    await held;

    const { db } = store;
    expect((await db.render.findMany({ select: { key: true } })).map((r) => r.key)).toEqual([`apps@${C4}:web:`]);
    expect((await db.bundle.findMany({ select: { digest: true }, orderBy: { digest: "asc" } })).map((b) => b.digest)).toEqual([digest("2"), digest("4"), digest("recent")]);
    expect(Object.fromEntries(Object.entries(paths).map(([k, p]) => [k, existsSync(p)]))).toEqual({ c1: false, c2: true, c4: true, config: false, tmp: true });
    expect(removed).toEqual({ renders: 3, bundles: 3, bundleBytes: 300, statusObjects: 0, trees: 2, treeBytes: 0 });
  });

  it("keeps the last N revisions of each Source", async () => {
    await store.db.render.create({ data: { key: `apps@${C3}:web:`, digest: digest("3b"), createdAt: old } });
    const retention = createRetention({ db: store.db, log: pino({ level: "silent" }), dataDir: dir }, { keepRevisions: 2, graceMs: HOUR });
    expect((await retention.pruneStore(new Date(now))).renders).toBe(0);
    await createRetention({ db: store.db, log: pino({ level: "silent" }), dataDir: dir }, { keepRevisions: 1, graceMs: HOUR }).pruneStore(new Date(now));
    expect((await store.db.render.findMany({ select: { key: true } })).map((r) => r.key)).toEqual([`apps@${C4}:web:`]);
  });
});

describe.each(PROVIDERS)("retention of status objects on %s", (provider) => {
  const objectsStore = storeOn(provider, "retention_objects");

  it("keeps the objects rows a status names or seen within the grace, and deletes the others", async () => {
    const { db } = objectsStore();
    const recent = new Date(now - HOUR / 2);
    const rows = { named: old, "named-recent": recent, unnamed: old, "unnamed-recent": recent, "row:c2/web": old };
    await db.statusObjects.createMany({ data: Object.entries(rows).map(([digest, seenAt]) => ({ digest, objects: "[]", seenAt })) });
    const status = { app: "web", revision: C4, bundleDigest: digest("4"), sync: "SYNCED", health: "HEALTHY", observedAt: old };
    await db.appStatus.createMany({ data: [{ ...status, clusterName: "c1", objectsDigest: "named" }, { ...status, clusterName: "c2", objectsDigest: "named-recent" }, { ...status, clusterName: "c3", objectsDigest: "" }] });
    const retention = createRetention({ db, log: pino({ level: "silent" }), dataDir: dir }, { keepRevisions: 0, graceMs: HOUR });
    expect((await retention.pruneStore(new Date(now))).statusObjects).toBe(2);
    expect((await db.statusObjects.findMany({ select: { digest: true }, orderBy: { digest: "asc" } })).map((o) => o.digest)).toEqual(["named", "named-recent", "unnamed-recent"]);
  });
});
