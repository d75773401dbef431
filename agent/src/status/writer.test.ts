import { describe, expect, it } from "vitest";
import { HealthState, SyncState, type AppStatus } from "@gitfleet/shared";
import { appStatus } from "../common/app-status.js";
import type { Outgoing } from "../connection/agent-link.js";
import { combine } from "./combine.js";
import { createStatusWriter } from "./writer.js";

const ref = { apiVersion: "apps/v1", kind: "Deployment", namespace: "ns", name: "web" };
const reconciled = (health = HealthState.PROGRESSING, message = "1 objects applied") =>
  appStatus({ app: "web", revision: "r1", bundleDigest: "sha256:1" }, { sync: SyncState.SYNCED, health, message, objects: [{ ref, action: "created", health: "InProgress", message: "" }] });
const rated = (health: HealthState, object: string) => ({ health, objects: new Map([["Deployment/ns/web", object]]) });

describe("combine", () => {
  it("is the reconcile's status until health or drift says more", () => {
    const s = combine({ reconciled: reconciled() });
    expect([s.sync, s.health, s.message, s.objects[0]!.health]).toEqual([SyncState.SYNCED, HealthState.PROGRESSING, "1 objects applied", "InProgress"]);
  });

  it("takes health as last rated, per object by ref", () => {
    const s = combine({ reconciled: reconciled(), health: rated(HealthState.HEALTHY, "Current") });
    expect([s.health, s.objects[0]!.health, s.sync]).toEqual([HealthState.HEALTHY, "Current", SyncState.SYNCED]);
  });

  it("drift makes the app OutOfSync with its message; once gone, Synced with 'drift resolved'", () => {
    const drifted = combine({ reconciled: reconciled(), drift: "drift (selfHeal off): x" });
    expect([drifted.sync, drifted.message]).toEqual([SyncState.OUT_OF_SYNC, "drift (selfHeal off): x"]);
    const resolved = combine({ reconciled: appStatus(reconciled(), { sync: SyncState.FAILED, health: HealthState.HEALTHY, objects: [], message: "bad" }), driftResolved: true });
    expect([resolved.sync, resolved.message]).toEqual([SyncState.SYNCED, "drift resolved"]);
  });
});

describe("createStatusWriter", () => {
  function writer() {
    const sent: AppStatus[][] = [];
    const changes: [HealthState | undefined, HealthState][] = [];
    const w = createStatusWriter((before, after) => changes.push([before?.health, after.health]));
    w.link((m: Outgoing) => {
      if (m.msg?.case === "status") sent.push(m.msg.value.apps as AppStatus[]);
    });
    return { w, sent, changes };
  }

  it("sends every reconcile, health only when it changed, drift whenever it changes", () => {
    const { w, sent, changes } = writer();
    w.report({ kind: "health", app: "web", ...rated(HealthState.HEALTHY, "Current") });
    expect(sent).toHaveLength(0); // nothing applied yet: nothing to rate
    w.report({ kind: "reconciled", app: "web", status: reconciled() });
    w.report({ kind: "reconciled", app: "web", status: reconciled() });
    expect(sent).toHaveLength(2);
    w.report({ kind: "health", app: "web", ...rated(HealthState.PROGRESSING, "InProgress") });
    expect(sent).toHaveLength(2);
    w.report({ kind: "health", app: "web", ...rated(HealthState.HEALTHY, "Current") });
    expect(sent).toHaveLength(3);
    w.report({ kind: "drift", app: "web", message: undefined });
    expect(sent).toHaveLength(3);
    w.report({ kind: "drift", app: "web", message: "drift (selfHeal off): a" });
    w.report({ kind: "drift", app: "web", message: "drift (selfHeal off): a" });
    w.report({ kind: "health", app: "web", ...rated(HealthState.HEALTHY, "Current") });
    expect(sent).toHaveLength(4);
    expect(w.status("web")!.sync).toBe(SyncState.OUT_OF_SYNC);
    w.report({ kind: "drift", app: "web", message: undefined });
    expect(sent.at(-1)![0]!.message).toBe("drift resolved");
    expect(changes.map(([, h]) => h).filter((h) => h === HealthState.HEALTHY).length).toBeGreaterThan(0);
    expect(changes.filter(([b, a]) => a === HealthState.HEALTHY && b !== HealthState.HEALTHY)).toHaveLength(1);
  });

  it("a new reconcile clears drift; a removed app is neither reported nor resent on reconnect", () => {
    const { w, sent } = writer();
    w.report({ kind: "reconciled", app: "web", status: reconciled() });
    w.report({ kind: "drift", app: "web", message: "drift (selfHeal off): a" });
    w.report({ kind: "reconciled", app: "web", status: reconciled() });
    expect([w.status("web")!.sync, w.status("web")!.message]).toEqual([SyncState.SYNCED, "1 objects applied"]);
    w.report({ kind: "reconciled", app: "api", status: appStatus({ app: "api", revision: "r", bundleDigest: "d" }, { sync: SyncState.SYNCED, health: HealthState.HEALTHY, objects: [], message: "" }) });
    w.report({ kind: "removed", app: "web" });
    w.report({ kind: "drift", app: "web", message: "late" });
    expect(w.statuses().map((s) => s.app)).toEqual(["api"]);
    const before = sent.length;
    w.link(undefined);
    w.report({ kind: "reconciled", app: "api", status: w.status("api")! });
    expect(sent.length).toBe(before);
    w.link((m) => m.msg?.case === "status" && sent.push(m.msg.value.apps as AppStatus[]));
    expect(sent.at(-1)!.map((s) => s.app)).toEqual(["api"]);
  });
});
