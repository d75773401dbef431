import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClusterState, HealthState, SyncState } from "@gitfleet/shared";
import { openStore, type Store } from "../store/index.js";
import { createFleetFeed, fleetDiff, fleetReset, readFleet, type FleetSnapshot } from "./fleet.js";

const keyed = <T>(value: T) => ({ value, key: JSON.stringify(value) });
const cell = (cluster: string, app: string, rev: string, sync = SyncState.SYNCED) =>
  keyed({ cluster, app, desiredRevision: rev, appliedRevision: rev, sync, health: HealthState.HEALTHY, message: "" });
const snapshot = (cells: ReturnType<typeof cell>[], clusters = ["eu", "us"]): FleetSnapshot => ({
  clusters: new Map(clusters.map((name) => [name, keyed({ name, labels: { env: "prod" }, state: ClusterState.CONNECTED })])),
  apps: new Map([["web", keyed({ name: "web", revision: "a" })]]),
  cells: new Map(cells.map((c) => [`${c.value.cluster}\u0000${c.value.app}`, c])),
});

it("sends nothing when nothing changed", () => {
  expect(fleetDiff(snapshot([cell("eu", "web", "a")]), snapshot([cell("eu", "web", "a")]))).toBeUndefined();
});

it("sends only the changed cells, and what left, in one batch", () => {
  const before = snapshot([cell("eu", "web", "a"), cell("us", "web", "a")]);
  const after = snapshot([cell("eu", "web", "b", SyncState.OUT_OF_SYNC)], ["eu"]);
  const update = fleetDiff(before, after)!;
  expect(update.reset).toBe(false);
  expect(update.cells).toEqual([after.cells.get("eu\u0000web")!.value]);
  expect(update.removedCells).toEqual([{ cluster: "us", app: "web" }]);
  expect(update.removedClusters).toEqual(["us"]);
  expect(update.clusters).toEqual([]);
});

it("starts with the whole fleet", () => {
  const reset = fleetReset(snapshot([cell("eu", "web", "a")]));
  expect(reset.reset).toBe(true);
  expect(reset.clusters!.map((c) => c.name)).toEqual(["eu", "us"]);
  expect(reset.cells).toHaveLength(1);
});

describe("the shared fleet feed", () => {
  let dir: string;
  let store: Store;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "fleet-feed-"));
    store = await openStore({ dataDir: dir });
    await store.db.cluster.create({ data: { name: "eu", credentialHash: "eu", agentLabels: JSON.stringify({ env: "prod" }), state: "Connected", approved: true } });
    await store.db.app.create({ data: { name: "web", spec: "{}", revision: "a" } });
    await store.db.assignment.create({ data: { clusterName: "eu", app: "web", target: "prod", revision: "a", bundleDigest: "d" } });
  });
  afterAll(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("gives every watcher the fleet, then the same changes, from one reader", async () => {
    const feed = createFleetFeed(store.db, 50, 1);
    const abort = new AbortController();
    const one = feed.watch(abort.signal);
    const two = feed.watch(abort.signal);
    const [a, b] = [(await one.next()).value!, (await two.next()).value!];
    expect(a.reset && b.reset).toBe(true);
    expect(a.cells).toEqual([{ cluster: "eu", app: "web", desiredRevision: "a", appliedRevision: "", behind: true, sync: SyncState.UNSPECIFIED, health: HealthState.UNSPECIFIED, message: "", rolloutStep: "" }]);
    await store.db.appStatus.create({ data: { clusterName: "eu", app: "web", revision: "a", bundleDigest: "d", sync: "SYNCED", health: "HEALTHY", observedAt: new Date() } });
    for (const watcher of [one, two]) {
      const update = (await watcher.next()).value!;
      expect(update.reset).toBe(false);
      expect(update.cells!.map((c) => [c.appliedRevision, c.behind, c.sync, c.health])).toEqual([["a", false, SyncState.SYNCED, HealthState.HEALTHY]]);
    }
    abort.abort();
    expect((await one.next()).done).toBe(true);
    expect((await two.next()).done).toBe(true);
  });

  it("shows a cell behind when only its bundle moved (substitute values, a re-render), and caught up when the agent reports it", async () => {
    const db = store.db;
    const before = await readFleet(db);
    expect(before.cells.get("eu\u0000web")!.value).toMatchObject({ desiredRevision: "a", appliedRevision: "a", behind: false });
    await db.assignment.update({ where: { clusterName_app: { clusterName: "eu", app: "web" } }, data: { bundleDigest: "e" } });
    const moved = await readFleet(db);
    expect(fleetDiff(before, moved)!.cells).toEqual([{ ...before.cells.get("eu\u0000web")!.value, behind: true }]);
    await db.appStatus.update({ where: { clusterName_app: { clusterName: "eu", app: "web" } }, data: { bundleDigest: "e" } });
    expect(fleetDiff(moved, await readFleet(db))!.cells!.map((c) => c.behind)).toEqual([false]);
  });

  it("shows each cluster's rollout step while its App's rollout is under way, and not after", async () => {
    const db = store.db;
    await db.rollout.create({ data: { app: "web", key: "k", toRevision: "b", state: "Progressing", startedAt: new Date() } });
    await db.rolloutCluster.create({ data: { app: "web", clusterName: "eu", step: "Updating", stage: 0 } });
    const cell = async () => [...(await readFleet(db)).cells.values()][0]!.value.rolloutStep;
    expect(await cell()).toBe("Updating");
    await db.rollout.update({ where: { app: "web" }, data: { state: "Completed" } });
    expect(await cell()).toBe("");
  });
});
