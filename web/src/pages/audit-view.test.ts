import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { AuditRecordSchema } from "@gitfleet/shared/proto";
import { auditDetail, auditRows } from "./audit-view.js";

const EVENTS = [
  create(AuditRecordSchema, { id: 2n, actor: "admin-token:5c9a96f3a6bc (release bot)", action: "cluster.label", subject: "prod-us", detailJson: '{"set":{"tier":"gold"},"remove":[]}' }),
  create(AuditRecordSchema, { id: 10n, actor: "hub-admin-token", action: "app.apply", subject: "web", detailJson: '{"action":"created"}' }),
  create(AuditRecordSchema, { id: 1n, actor: "rollout", action: "rollout.start", subject: "web", detailJson: "{}" }),
];
const ids = (events: { id: bigint }[]) => events.map((e) => e.id);

describe("auditRows", () => {
  it("lists every event newest first (by id: ids order events, clocks may not)", () => {
    expect(ids(auditRows(EVENTS, ""))).toEqual([10n, 2n, 1n]);
  });

  it("keeps events whose actor, action, subject or detail contain the query, in any case", () => {
    expect(ids(auditRows(EVENTS, "ROLLOUT"))).toEqual([1n]);
    expect(ids(auditRows(EVENTS, "cluster."))).toEqual([2n]);
    expect(ids(auditRows(EVENTS, "web"))).toEqual([10n, 1n]);
    expect(ids(auditRows(EVENTS, "gold"))).toEqual([2n]);
    expect(ids(auditRows(EVENTS, "  admin "))).toEqual([10n, 2n]);
    expect(ids(auditRows(EVENTS, "Release Bot"))).toEqual([2n]);
    expect(auditRows(EVENTS, "nothing-matches")).toEqual([]);
  });

  it("leaves the events it was given in their order", () => {
    const given = [...EVENTS];
    auditRows(given, "");
    expect(ids(given)).toEqual([2n, 10n, 1n]);
  });
});

describe("auditDetail", () => {
  it("shows an empty detail as nothing and any other as its JSON", () => {
    expect(auditDetail({ action: "rollout.start", detailJson: "{}" })).toEqual({ text: "" });
    expect(auditDetail({ action: "cluster.label", detailJson: '{"set":{"tier":"gold"}}' })).toEqual({ text: '{"set":{"tier":"gold"}}' });
  });

  it("sums up a group of clusters' transitions in a line, with every cluster it names", () => {
    const clusters = Array.from({ length: 42 }, (_, i) => `c${i}`);
    const detailJson = JSON.stringify({ from: "a1", to: "b2", was: "Updating", step: "Healthy", stage: "canary", message: "", clusters, count: 42 });
    expect(auditDetail({ action: "rollout.clusters", detailJson })).toEqual({ text: "42 clusters Updating→Healthy in stage canary: c0, c1, c2, c3, c4, … (37 more)", clusters });
  });
});
