import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { openStore, type Store } from "../store/index.js";
import { HubError } from "../errors.js";
import { AUDIT_PAGE_SIZE, listAudit, type AuditFilter } from "./audit.js";

const dir = mkdtempSync(join(tmpdir(), "gitfleet-audit-"));
let store: Store;
// More rows than one scan reads, so filtering by cluster crosses batches.
const EVENTS = 2_345;

beforeAll(async () => {
  store = await openStore({ dataDir: dir });
  // Rollout transitions of groups of clusters, and of one cluster as rows from before groups hold them.
  const named = (i: number) => (i % 3 === 0 ? "eu-1" : "us-1");
  const data = Array.from({ length: EVENTS }, (_, i) => ({
    actor: "rollout",
    subject: i % 5 === 0 ? "api" : "web",
    ...(i % 2 ? { action: "rollout.cluster", detail: JSON.stringify({ n: i, cluster: named(i) }) } : { action: "rollout.clusters", detail: JSON.stringify({ n: i, clusters: ["eu-10", named(i), "us-10"], count: 3 }) }),
  }));
  await store.db.auditEvent.createMany({ data });
  await store.db.auditEvent.create({ data: { actor: "admin", action: "cluster.approve", subject: "eu-1" } });
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Every page from the newest back, concatenated oldest first; the events' n (or -1 without one). */
async function allPages(f: AuditFilter): Promise<{ ns: number[]; pages: number }> {
  const pages: number[][] = [];
  let pageToken = "";
  do {
    const res = await listAudit(store.db, { ...f, pageToken });
    pages.unshift(res.events.map(n));
    pageToken = res.nextPageToken;
  } while (pageToken);
  return { ns: pages.flat(), pages: pages.length };
}

const n = (e: { detailJson?: string }) => (JSON.parse(e.detailJson ?? "{}") as { n?: number }).n ?? -1;
const range = (pred: (i: number) => boolean) => Array.from({ length: EVENTS }, (_, i) => i).filter(pred);

test("a page holds the newest events, oldest first, and its token leads to the older ones", async () => {
  const first = await listAudit(store.db, { app: "web", pageSize: 3 });
  expect(first.events.map(n)).toEqual(range((i) => i % 5 !== 0).slice(-3));
  const second = await listAudit(store.db, { app: "web", pageSize: 3, pageToken: first.nextPageToken });
  expect(second.events.map(n)).toEqual(range((i) => i % 5 !== 0).slice(-6, -3));
  expect(await allPages({ app: "web", pageSize: 700 })).toEqual({ ns: range((i) => i % 5 !== 0), pages: 3 });
});

test("a cluster's events (subject or detail) page across scans; without a size a page holds 500", async () => {
  expect(await allPages({ cluster: "eu-1", pageSize: 300 })).toEqual({ ns: [...range((i) => i % 3 === 0), -1], pages: Math.ceil((range((i) => i % 3 === 0).length + 1) / 300) });
  const all = await listAudit(store.db, {});
  expect(all.events).toHaveLength(AUDIT_PAGE_SIZE);
  expect(all.events.at(-1)!.action).toBe("cluster.approve");
  const last = await listAudit(store.db, { pageSize: 5000 });
  expect([last.events.length, last.nextPageToken]).toEqual([EVENTS + 1, ""]);
});

test("a bad page size or token is refused naming it", async () => {
  await expect(listAudit(store.db, { pageSize: 5001 })).rejects.toThrow(new HubError("INVALID_ARGUMENT", "page_size 5001: want 1 to 5000 (0: 500)"));
  await expect(listAudit(store.db, { pageToken: "abc" })).rejects.toThrow(/page_token "abc": want the next_page_token of a previous answer/);
});
