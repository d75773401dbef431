import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { AssignmentSchema, HealthState } from "@gitfleet/shared";
import { appliedInFull, letGoOfObjects, nextRun, unreadyDependencies, type RunnerTimings } from "./schedule.js";

const t: RunnerTimings = { resyncMs: 300, driftIntervalMs: 60, healthRecheckMs: 2, waitRecheckMs: 5, retryBaseMs: 1, retryMaxMs: 60 };

describe("nextRun", () => {
  it("retries failures with backoff, waits at the wait interval, stops on terminal", () => {
    expect(nextRun("terminal", HealthState.HEALTHY, true, t)).toBeUndefined();
    expect(nextRun("transient", undefined, true, t)).toEqual({ mode: "full", after: "backoff" });
    expect(nextRun("retry", HealthState.HEALTHY, false, t)).toEqual({ mode: "full", after: "backoff" });
    expect(nextRun("wait", HealthState.HEALTHY, false, t)).toEqual({ mode: "full", after: 5 });
  });

  it("re-checks health until Healthy, then resyncs (health only without selfHeal)", () => {
    expect(nextRun(undefined, HealthState.PROGRESSING, true, t)).toEqual({ mode: "health", after: 2 });
    expect(nextRun(undefined, HealthState.MISSING, false, t)).toEqual({ mode: "health", after: 2 });
    expect(nextRun(undefined, HealthState.HEALTHY, true, t)).toEqual({ mode: "full", after: 300 });
    expect(nextRun(undefined, HealthState.HEALTHY, false, t)).toEqual({ mode: "health", after: 300 });
  });
});

describe("unreadyDependencies", () => {
  it("names dependencies not assigned here or not Healthy", () => {
    const a = create(AssignmentSchema, { app: "web", dependsOn: ["db", "cache", "queue"] });
    const health: Record<string, HealthState> = { db: HealthState.HEALTHY, cache: HealthState.PROGRESSING, queue: HealthState.HEALTHY };
    expect(unreadyDependencies(a, new Set(["web", "db", "cache"]), (d) => health[d])).toEqual(["cache", "queue"]);
    expect(unreadyDependencies(a, new Set(["db", "cache", "queue"]), () => HealthState.HEALTHY)).toEqual([]);
  });
});

describe("run results", () => {
  it("tells when objects were let go of and when drift may compare against what was applied", () => {
    expect(letGoOfObjects([{ action: "created" }, { action: "released" }])).toBe(true);
    expect(letGoOfObjects([{ action: "unchanged" }, { action: "skipped" }])).toBe(false);
    expect([undefined, "terminal", "retry", "transient", "wait"].map((o) => appliedInFull(o as never))).toEqual([true, true, true, false, false]);
  });
});
