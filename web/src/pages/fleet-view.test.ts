import { describe, expect, it } from "vitest";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { FleetCellSchema, FleetClusterSchema, HealthState, SyncState } from "@gitfleet/shared/proto";
import { cellText, fleetRows, labelKeys, linkText, type Row } from "./fleet-view.js";

const A = "a".repeat(40);
const B = "b".repeat(40);

const cluster = (name: string, labels: Record<string, string> = {}) => create(FleetClusterSchema, { name, labels });
const cell = (fields: MessageInitShape<typeof FleetCellSchema>) =>
  create(FleetCellSchema, { cluster: "eu-1", app: "web", desiredRevision: A, appliedRevision: A, sync: SyncState.SYNCED, health: HealthState.HEALTHY, ...fields });

const FLEET = [
  cluster("prod-us", { env: "prod", region: "us" }),
  cluster("staging-eu", { env: "staging", region: "eu" }),
  cluster("prod-eu", { env: "prod", region: "eu", tier: "gold" }),
  cluster("edge-1", { env: "prod" }),
];
const NO_VIEW = { search: "", labels: "", groupBy: "" };
// Rows as a reader scans them: a group header's label and count, or a cluster's name.
const scan = (rows: Row[]) => rows.map((r) => (r.kind === "group" ? `[${r.label} (${r.count})]` : r.cluster.name));

describe("fleetRows", () => {
  it("lists every cluster by name when nothing is asked", () => {
    expect(scan(fleetRows(FLEET, NO_VIEW))).toEqual(["edge-1", "prod-eu", "prod-us", "staging-eu"]);
  });

  it("keeps clusters whose name contains the search, in any case, ignoring surrounding spaces", () => {
    expect(scan(fleetRows(FLEET, { ...NO_VIEW, search: "  PROD " }))).toEqual(["prod-eu", "prod-us"]);
    expect(scan(fleetRows(FLEET, { ...NO_VIEW, search: "nothing-like-it" }))).toEqual([]);
  });

  it("matches the search against names in any case", () => {
    expect(scan(fleetRows([cluster("Edge-West"), cluster("edge-east")], { ...NO_VIEW, search: "west" }))).toEqual(["Edge-West"]);
  });

  it("keeps clusters the label filter selects, together with the search", () => {
    expect(scan(fleetRows(FLEET, { ...NO_VIEW, labels: "env=prod,region!=us" }))).toEqual(["edge-1", "prod-eu"]);
    expect(scan(fleetRows(FLEET, { ...NO_VIEW, labels: "env=prod", search: "eu" }))).toEqual(["prod-eu"]);
  });

  it("groups by a label's value under a header with its count, groups in order, a cluster without the label under (none)", () => {
    expect(scan(fleetRows(FLEET, { ...NO_VIEW, groupBy: "region" }))).toEqual([
      "[region=(none) (1)]",
      "edge-1",
      "[region=eu (2)]",
      "prod-eu",
      "staging-eu",
      "[region=us (1)]",
      "prod-us",
    ]);
  });

  it("orders groups by value, not by their first cluster's name", () => {
    expect(scan(fleetRows([cluster("a-1", { env: "staging" }), cluster("b-1", { env: "prod" })], { ...NO_VIEW, groupBy: "env" }))).toEqual(["[env=prod (1)]", "b-1", "[env=staging (1)]", "a-1"]);
  });

  it("counts only the clusters left after filtering in each group, and drops empty groups", () => {
    expect(scan(fleetRows(FLEET, { ...NO_VIEW, groupBy: "region", labels: "env=prod" }))).toEqual(["[region=(none) (1)]", "edge-1", "[region=eu (1)]", "prod-eu", "[region=us (1)]", "prod-us"]);
    expect(scan(fleetRows(FLEET, { ...NO_VIEW, groupBy: "tier", labels: "tier" }))).toEqual(["[tier=gold (1)]", "prod-eu"]);
  });
});

describe("labelKeys", () => {
  it("offers each label key of the fleet once, sorted", () => {
    expect(labelKeys(FLEET)).toEqual(["env", "region", "tier"]);
    expect(labelKeys([])).toEqual([]);
  });
});

describe("cellText", () => {
  it("names the cluster, App, sync, health and revision (7 digits) of a cell that is up to date", () => {
    expect(cellText(cell({}))).toEqual({ revision: "aaaaaaa", movingTo: undefined, label: "web on eu-1: Synced, Healthy, revision aaaaaaa" });
  });

  it("marks a cell behind at another revision with the revision it moves to", () => {
    const t = cellText(cell({ behind: true, desiredRevision: B, sync: SyncState.OUT_OF_SYNC, health: HealthState.PROGRESSING }));
    expect(t.revision).toBe("aaaaaaa");
    expect(t.movingTo).toBe("bbbbbbb");
    expect(t.label).toBe("web on eu-1: OutOfSync, Progressing, revision aaaaaaa, moving to bbbbbbb");
  });

  it("marks a cell behind at the same revision as moving to a new bundle (substitute values, a re-render)", () => {
    const t = cellText(cell({ behind: true }));
    expect(t.movingTo).toBe("new bundle");
    expect(t.label).toBe("web on eu-1: Synced, Healthy, revision aaaaaaa, moving to a new bundle of aaaaaaa");
  });

  it("shows the desired revision of a cluster that has applied nothing yet, moving to it", () => {
    const t = cellText(cell({ appliedRevision: "", behind: true, health: HealthState.MISSING, sync: SyncState.OUT_OF_SYNC }));
    expect(t.revision).toBe("aaaaaaa");
    expect(t.movingTo).toBe("aaaaaaa");
    expect(t.label).toBe("web on eu-1: OutOfSync, Missing, revision aaaaaaa, moving to aaaaaaa");
  });

  it("adds the rollout step while a rollout is under way", () => {
    expect(cellText(cell({ behind: true, desiredRevision: B, rolloutStep: "Pending" })).label).toBe("web on eu-1: Synced, Healthy, revision aaaaaaa, moving to bbbbbbb, rollout step Pending");
    expect(cellText(cell({ rolloutStep: "Healthy" })).label).toBe("web on eu-1: Synced, Healthy, revision aaaaaaa, rollout step Healthy");
  });

  it("says none for a cell with no revision at all (leaving, nothing applied)", () => {
    expect(cellText(cell({ desiredRevision: "", appliedRevision: "" })).label).toBe("web on eu-1: Synced, Healthy, revision none");
  });

  it("shows a chart revision by its version and reads a state it does not know as Unknown", () => {
    const t = cellText(cell({ appliedRevision: "1.2.3@sha256:" + "c".repeat(64), desiredRevision: "1.2.3@sha256:" + "c".repeat(64), sync: 99 as SyncState, health: 42 as HealthState }));
    expect(t.label).toBe("web on eu-1: Unknown, Unknown, revision 1.2.3");
  });
});

describe("linkText", () => {
  it("tells live, connecting and reconnecting apart, with the error that broke the stream", () => {
    expect(linkText("live")).toBe("● Live");
    expect(linkText("connecting")).toBe("Connecting…");
    expect(linkText("reconnecting", "hub unreachable")).toBe("Reconnecting… hub unreachable");
    expect(linkText("reconnecting")).toBe("Reconnecting… ");
  });
});
