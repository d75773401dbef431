import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { openStore, type Store } from "../store/index.js";
import { disconnectAll, disconnectClusters, disconnectSilent } from "./liveness.js";

const dir = mkdtempSync(join(tmpdir(), "gitfleet-liveness-"));
let store: Store;
const NOW = Date.parse("2026-12-05T01:00:00Z");

beforeAll(async () => {
  store = await openStore({ dataDir: dir });
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function clusters(rows: { name: string; state: string; silentMs: number }[]) {
  await store.db.cluster.deleteMany({});
  for (const r of rows) {
    await store.db.cluster.create({ data: { name: r.name, credentialHash: r.name, state: r.state, lastHeartbeat: new Date(NOW - r.silentMs) } });
  }
}
const states = async () => Object.fromEntries((await store.db.cluster.findMany({ orderBy: { name: "asc" } })).map((c) => [c.name, c.state]));

test("clusters of a silent hub go Disconnected; those heard from recently and Pending ones stay", async () => {
  await clusters([{ name: "dead", state: "Connected", silentMs: 31_000 }, { name: "alive", state: "Connected", silentMs: 5_000 }, { name: "waiting", state: "Pending", silentMs: 99_000 }]);
  await disconnectSilent(store.db, 30_000, NOW);
  expect(await states()).toEqual({ alive: "Connected", dead: "Disconnected", waiting: "Pending" });
});

test("a stopping hub disconnects the clusters it held; a starting single hub disconnects all", async () => {
  await clusters([{ name: "a", state: "Connected", silentMs: 0 }, { name: "b", state: "Connected", silentMs: 0 }, { name: "p", state: "Pending", silentMs: 0 }]);
  await disconnectClusters(store.db, ["a", "p"]);
  expect(await states()).toEqual({ a: "Disconnected", b: "Connected", p: "Pending" });
  await disconnectAll(store.db);
  expect(await states()).toEqual({ a: "Disconnected", b: "Disconnected", p: "Pending" });
});
