import { expect, it } from "vitest";
import { fromClusterRecord, sameClusterRow } from "./rows.js";

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
