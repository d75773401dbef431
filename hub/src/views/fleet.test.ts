import { expect, it } from "vitest";
import { ClusterState, HealthState, SyncState } from "@gitfleet/shared";
import { fleetDiff, fleetReset, type FleetSnapshot } from "./fleet.js";

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
