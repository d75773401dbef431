import { create } from "@bufbuild/protobuf";
import { timestampDate, TimestampSchema } from "@bufbuild/protobuf/wkt";
import { expect, it } from "vitest";
import { DriftGrouping } from "@gitfleet/shared";
import type { DriftEvent } from "../store/index.js";
import { groupDrift } from "./groups.js";

const HOUR = 3600_000;
const now = Date.UTC(2026, 0, 2);
let id = 0;
const row = (cluster: string, name: string, paths: string[], init: Partial<DriftEvent> = {}): DriftEvent => ({
  id: ++id, clusterName: cluster, app: "web", apiVersion: "apps/v1", kind: "Deployment", namespace: "web", name,
  fields: JSON.stringify(paths.map((path) => ({ path, desired: "1", live: "2" }))), manager: "kubectl", deleted: false,
  firstSeen: new Date(now - HOUR), healedAt: null, active: true, ...init,
});

const rows = [
  row("eu", "api", ["spec.replicas", "spec.template.spec.containers[0].image"]),
  row("us", "api", ["spec.replicas"], { active: false, healedAt: new Date(now - HOUR / 2), manager: "hpa" }),
  row("us", "api", ["spec.replicas"], { firstSeen: new Date(now - 10 * HOUR) }),
  row("dev", "worker", [], { deleted: true, firstSeen: new Date(now - 30 * HOUR) }),
];

it("groups by object: clusters, drifting now, episodes, managers, most clusters first", () => {
  const res = groupDrift(rows, DriftGrouping.OBJECT, 24 * HOUR, now);
  expect(res.groups!.map((g) => [g.ref!.name, g.field, g.clusters, g.clustersDrifting, g.episodes, g.managers])).toEqual([
    ["api", "", ["eu", "us"], 2, 3, ["hpa", "kubectl"]],
    ["worker", "", ["dev"], 1, 1, ["kubectl"]],
  ]);
  expect(res.clustersDrifting).toBe(3);
});

it("groups by field, a field once per episode, a deleted object as its own group", () => {
  const res = groupDrift(rows, DriftGrouping.FIELD, 24 * HOUR, now);
  expect(res.groups!.map((g) => [g.ref!.name, g.field, g.clusters!.length, g.episodes])).toEqual([
    ["api", "spec.replicas", 2, 3],
    ["api", "spec.template.spec.containers[0].image", 1, 1],
    ["worker", "", 1, 1],
  ]);
});

it("counts episodes per slice of the window, open ones older than the window in the first", () => {
  const res = groupDrift(rows, DriftGrouping.OBJECT, 24 * HOUR, now);
  expect(res.timeline).toHaveLength(24);
  expect(timestampDate(create(TimestampSchema, res.timeline![0]!.start!)).getTime()).toBe(now - 24 * HOUR);
  const counts = res.timeline!.map((b) => b.episodes);
  expect(counts[0]).toBe(1);
  expect(counts[14]).toBe(1);
  expect(counts[23]).toBe(2);
  expect(counts.reduce((a, b) => a! + b!, 0)).toBe(4);
});
