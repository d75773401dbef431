import { describe, expect, it } from "vitest";
import type { RolloutEvent, RolloutRecord, Step } from "./model.js";
import { CLUSTERS_PER_ROW, eventRows, fromClusterRecord, sameClusterRow } from "./rows.js";

it("sameClusterRow compares every column, dates by time", () => {
  const rec = { step: "Updating" as const, stage: 1, message: "", startedAt: 1000, previous: { target: "t", revision: "r1", bundleDigest: "d1" } };
  const row = fromClusterRecord("web", "c1", rec);
  expect(sameClusterRow(row, fromClusterRecord("web", "c1", { ...rec }))).toBe(true);
  const changed = { ...row, startedAt: new Date(1000), finishedAt: null };
  expect(sameClusterRow(row, changed)).toBe(true);
  for (const [column, value] of Object.entries({ app: "api", clusterName: "c2", step: "Healthy", stage: 2, message: "m", startedAt: new Date(1001), finishedAt: new Date(1000), prevTarget: "u", prevRevision: "r2", prevDigest: "d2" })) {
    expect(sameClusterRow(row, { ...row, [column]: value }), column).toBe(false);
    expect(sameClusterRow({ ...row, [column]: value }, row), column).toBe(false);
  }
  expect(sameClusterRow(row, { ...row, startedAt: null })).toBe(false);
});

describe("eventRows", () => {
  const rollout: RolloutRecord = { key: "k", from: "a1", to: "b2", state: "Progressing", stage: 0, approvedStage: -1, reason: "", startedAt: 0 };
  const at = new Date(1000);
  const moved = (cluster: string, step: Step = "Healthy", message = "", stage = "canary"): RolloutEvent => ({ kind: "cluster", cluster, was: "Updating", step, stage, message });
  type Row = { action: string; clusters?: string[]; count?: number; [detail: string]: unknown };
  const rows = (events: RolloutEvent[]) => eventRows("web", rollout, events, at).map((r): Row => ({ action: r.action, ...(JSON.parse(r.detail) as object) }));

  it("writes the clusters that made the same transition in one row, naming them all", () => {
    expect(rows([moved("c1"), moved("c2")])).toEqual([
      { action: "rollout.clusters", from: "a1", to: "b2", was: "Updating", step: "Healthy", stage: "canary", message: "", clusters: ["c1", "c2"], count: 2 },
    ]);
    expect(eventRows("web", rollout, [moved("c1")], at)[0]).toMatchObject({ at, actor: "rollout", subject: "web" });
  });

  it("keeps transitions apart that differ in step, stage or message (a failure's own status), in the order of their first", () => {
    const failed = (c: string, why: string) => moved(c, "Failed", why);
    const out = rows([moved("c1"), failed("c2", "Degraded: a"), moved("c3", "Healthy", "", "main"), failed("c4", "Degraded: b"), failed("c5", "Degraded: a"), moved("c6")]);
    expect(out.map((r) => [r.action, r.clusters])).toEqual([
      ["rollout.clusters", ["c1", "c6"]],
      ["rollout.clusters", ["c2", "c5"]],
      ["rollout.clusters", ["c3"]],
      ["rollout.clusters", ["c4"]],
    ]);
    expect(out[1]).toMatchObject({ step: "Failed", message: "Degraded: a", count: 2 });
  });

  it("keeps the rollout's own events as rows of their own, where they were", () => {
    const out = rows([{ kind: "started" }, moved("c1", "Updating"), moved("c2", "Updating"), { kind: "rolled-back", stage: "canary", reason: "c1: Degraded" }]);
    expect(out.map((r) => r.action)).toEqual(["rollout.started", "rollout.clusters", "rollout.rolled-back"]);
    expect(out[2]).toEqual({ action: "rollout.rolled-back", from: "a1", to: "b2", stage: "canary", reason: "c1: Degraded" });
  });

  it("splits a group larger than CLUSTERS_PER_ROW over rows, losing no name", () => {
    const names = Array.from({ length: 2 * CLUSTERS_PER_ROW + 1 }, (_, i) => `c${i}`);
    const out = rows(names.map((n) => moved(n)));
    expect(out.map((r) => r.count)).toEqual([CLUSTERS_PER_ROW, CLUSTERS_PER_ROW, 1]);
    expect(out.flatMap((r) => r.clusters ?? [])).toEqual(names);
  });
});
