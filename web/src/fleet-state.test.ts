import { describe, expect, it } from "vitest";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { FleetAppSchema, FleetCellSchema, FleetClusterSchema, WatchFleetResponseSchema } from "@gitfleet/shared/proto";
import { applyUpdate, cellKey, cellsOf, emptyFleet, matchesLabels, type Fleet } from "./fleet-state.js";

const msg = (fields: MessageInitShape<typeof WatchFleetResponseSchema>) => create(WatchFleetResponseSchema, fields);
const cluster = (name: string) => create(FleetClusterSchema, { name });
const app = (name: string, revision = "r1") => create(FleetAppSchema, { name, revision });
const cell = (c: string, a: string, message = "") => create(FleetCellSchema, { cluster: c, app: a, message });
// The fleet as names, so a test reads what the page would list.
const names = (f: Fleet) => ({ clusters: [...f.clusters.keys()].sort(), apps: [...f.apps.keys()].sort(), cells: [...f.cells.keys()].sort() });

const START = msg({ reset: true, clusters: [cluster("eu-1"), cluster("us-1")], apps: [app("web"), app("api")], cells: [cell("eu-1", "web"), cell("us-1", "web"), cell("eu-1", "api")] });

describe("applyUpdate", () => {
  it("takes the first (reset) message as the whole fleet", () => {
    expect(names(applyUpdate(emptyFleet(), START))).toEqual({ clusters: ["eu-1", "us-1"], apps: ["api", "web"], cells: ["eu-1/api", "eu-1/web", "us-1/web"] });
  });

  it("changes only what a later message names: adds, replaces and removes clusters, Apps and cells", () => {
    const before = applyUpdate(emptyFleet(), START);
    const after = applyUpdate(
      before,
      msg({ clusters: [cluster("ap-1")], removedClusters: ["us-1"], apps: [app("web", "r2")], removedApps: ["api"], cells: [cell("eu-1", "web", "applying")], removedCells: [{ cluster: "us-1", app: "web" }, { cluster: "eu-1", app: "api" }] }),
    );
    expect(names(after)).toEqual({ clusters: ["ap-1", "eu-1"], apps: ["web"], cells: ["eu-1/web"] });
    expect(after.apps.get("web")?.revision).toBe("r2");
    expect(after.cells.get(cellKey("eu-1", "web"))?.message).toBe("applying");
  });

  it("leaves the fleet it was given as it was (the page compares old and new)", () => {
    const before = applyUpdate(emptyFleet(), START);
    applyUpdate(before, msg({ removedClusters: ["eu-1"], removedApps: ["web"], removedCells: [{ cluster: "eu-1", app: "web" }] }));
    expect(names(before)).toEqual({ clusters: ["eu-1", "us-1"], apps: ["api", "web"], cells: ["eu-1/api", "eu-1/web", "us-1/web"] });
  });

  it("drops everything it held on a new reset (after a reconnect)", () => {
    const before = applyUpdate(emptyFleet(), START);
    expect(names(applyUpdate(before, msg({ reset: true, clusters: [cluster("ap-1")] })))).toEqual({ clusters: ["ap-1"], apps: [], cells: [] });
  });
});

describe("cellsOf", () => {
  it("lists one cluster's cells by App name", () => {
    const fleet = applyUpdate(emptyFleet(), START);
    expect(cellsOf(fleet, "eu-1").map((c) => c.app)).toEqual(["api", "web"]);
    expect(cellsOf(fleet, "us-1").map((c) => c.app)).toEqual(["web"]);
    expect(cellsOf(fleet, "nowhere")).toEqual([]);
  });
});

describe("matchesLabels", () => {
  const labels = { env: "prod", region: "eu", canary: "" };
  it.each([
    ["", true],
    ["env=prod", true],
    ["env==prod", true],
    ["env=staging", false],
    ["env!=staging", true],
    ["env!=prod", false],
    ["region", true],
    ["tier", false],
    ["!tier", true],
    ["!canary", false],
    ["canary=", true],
    ["tier!=gold", true],
    ["env=prod,region!=us", true],
    ["env=prod,region=us", false],
    [" env = prod , region ", true],
    ["env=prod,,", true],
  ])("%j → %s", (filter, expected) => {
    expect(matchesLabels(labels, filter)).toBe(expected);
  });
});
