import { describe, expect, it } from "vitest";
import { command } from "./commands.js";
import { decide, type Decision } from "./decide.js";
import type { ClusterRecord, ClusterView, Observed, Placement, RolloutRecord } from "./model.js";
import { resolveStrategy, type RolloutSpec } from "./strategy.js";

const at = (rev: string, target = "all"): Placement => ({ target, revision: rev, bundleDigest: `sha256:${rev}-${target}` });
const healthy = (p: Placement): Observed => ({ ...p, sync: "SYNCED", health: "HEALTHY", message: "" });
const degraded = (p: Placement, message: string): Observed => ({ ...p, sync: "SYNCED", health: "DEGRADED", message });

/** A fleet the tests drive tick by tick: agents apply what they are assigned and report on the next tick. */
function fleet(names: string[], labels: (n: string) => Record<string, string> = () => ({})) {
  const state = new Map(names.map((n) => [n, { assigned: at("v1") as Placement | undefined, status: healthy(at("v1")) as Observed | undefined, reachable: true, record: undefined as ClusterRecord | undefined, broken: false }]));
  let rollout: RolloutRecord | undefined;
  let now = 1_000_000;
  const log: Decision[] = [];
  return {
    state,
    get rollout() {
      return rollout!;
    },
    set rollout(r: RolloutRecord) {
      rollout = r;
    },
    log,
    advance(ms: number) {
      now += ms;
    },
    views(to: string): ClusterView[] {
      return names.map((n) => {
        const s = state.get(n)!;
        return { name: n, labels: labels(n), reachable: s.reachable, wanted: at(to), ...(s.assigned ? { assigned: s.assigned } : {}), ...(s.status ? { status: s.status } : {}), ...(s.record ? { record: s.record } : {}), blockedBy: [] };
      });
    },
    tick(spec: RolloutSpec | undefined, to: string, blockedBy: Record<string, string[]> = {}): Decision {
      const d = decide({ strategy: resolveStrategy(spec), ...(rollout ? { rollout } : {}), key: to, to, clusters: this.views(to).map((v) => ({ ...v, blockedBy: blockedBy[v.name] ?? [] })), now });
      rollout = d.rollout;
      for (const [n, rec] of d.records) state.get(n)!.record = rec;
      for (const [n, p] of d.assign) state.get(n)!.assigned = p;
      log.push(d);
      return d;
    },
    /** Reachable agents report on what they were assigned. */
    report() {
      for (const s of state.values()) if (s.reachable && s.assigned) s.status = s.broken && s.assigned.revision !== "v1" ? degraded(s.assigned, "Deployment web: ProgressDeadlineExceeded") : healthy(s.assigned);
    },
    steps: () => Object.fromEntries([...state].map(([n, s]) => [n, s.record?.step])),
    /** The revision each cluster is assigned, by name (compared whole, so an empty fleet cannot pass). */
    assigned: () => Object.fromEntries([...state].map(([n, s]) => [n, s.assigned?.revision])),
    /** Runs ticks with reports between them until the rollout leaves Progressing. */
    run(spec: RolloutSpec | undefined, to: string, maxTicks = 100) {
      for (let i = 0; i < maxTicks; i++) {
        this.tick(spec, to);
        if (rollout!.state !== "Progressing") return;
        this.report();
        this.advance(1000);
      }
      throw new Error("rollout did not settle");
    },
  };
}

const names8 = ["c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8"];
const updatingAfterEachTick = (f: ReturnType<typeof fleet>) => f.log.map((d) => [...d.records.values()].filter((r) => r.step === "Updating" || r.step === "Failed").length);

describe("rollout decisions", () => {
  it("adopts clusters that already run the revision without a rollout", () => {
    const f = fleet(names8);
    const d = f.tick(undefined, "v1");
    expect(d.rollout.state).toBe("Completed");
    expect(d.events).toEqual([]);
  });

  it("by default moves 25% of the clusters (2 of 8) at a time and completes", () => {
    const f = fleet(names8);
    f.tick(undefined, "v1");
    f.run(undefined, "v2");
    expect(f.rollout).toMatchObject({ state: "Completed", from: "v1", to: "v2" });
    expect(Math.max(...updatingAfterEachTick(f))).toBe(2);
    expect(f.assigned()).toEqual(Object.fromEntries(names8.map((n) => [n, "v2"])));
    // Clusters go in name order.
    const order = f.log.flatMap((d) => d.events.flatMap((e) => (e.kind === "cluster" && e.step === "Updating" ? [e.cluster] : [])));
    expect(order).toEqual(names8);
  });

  it("moves at least one cluster even when the share rounds down to zero", () => {
    const f = fleet(["a", "b", "c"]);
    f.tick(undefined, "v1");
    f.tick(undefined, "v2");
    expect(Object.values(f.steps()).filter((s) => s === "Updating")).toHaveLength(1);
  });

  it("passes stages in order with each stage's maxUnavailable, never starting a stage before the previous is Healthy", () => {
    const ring = (n: string) => ({ ring: n === "c5" || n === "c8" ? "canary" : "main" });
    const f = fleet(names8, ring);
    const spec: RolloutSpec = { stages: [{ name: "canary", clusterSelector: { matchLabels: { ring: "canary" } } }, { name: "early", percent: 50, maxUnavailable: 1 }, { name: "rest", count: 10, maxUnavailable: "100%" }] };
    f.tick(spec, "v1");
    f.run(spec, "v2");
    const started = f.log.flatMap((d) => d.events.flatMap((e) => (e.kind === "cluster" && e.step === "Updating" ? [[e.cluster, e.stage]] : [])));
    expect(started).toEqual([["c5", "canary"], ["c8", "canary"], ["c1", "early"], ["c2", "early"], ["c3", "early"], ["c4", "rest"], ["c6", "rest"], ["c7", "rest"]]);
    const passed = f.log.flatMap((d) => d.events.flatMap((e) => (e.kind === "stage-passed" ? [e.stage] : [])));
    expect(passed).toEqual(["canary", "early", "rest"]);
    expect(f.rollout.state).toBe("Completed");
  });

  it("waits the bake time after a stage is Healthy", () => {
    const f = fleet(["a", "b"]);
    const spec: RolloutSpec = { stages: [{ name: "first", clusterNames: ["a"], bakeTime: "2m" }] };
    f.tick(spec, "v1");
    f.tick(spec, "v2");
    f.report();
    const d = f.tick(spec, "v2");
    expect(f.steps()).toEqual({ a: "Healthy", b: "Pending" });
    expect(d.wakeAt).toBe(f.rollout.stageDoneAt! + 120_000);
    f.advance(119_000);
    f.tick(spec, "v2");
    expect(f.steps().b).toBe("Pending");
    f.advance(1_000);
    f.tick(spec, "v2");
    expect(f.steps().b).toBe("Updating");
  });

  it("waits for manual approval before a stage, and promote lets it start", () => {
    const f = fleet(["a", "b", "c"]);
    const spec: RolloutSpec = { stages: [{ name: "one", count: 1 }, { name: "two", count: 1, approval: "manual" }] };
    f.tick(spec, "v1");
    f.run(spec, "v2");
    expect(f.rollout).toMatchObject({ state: "WaitingApproval", stage: 1 });
    expect(f.steps()).toEqual({ a: "Healthy", b: "Pending", c: "Pending" });
    const promoted = command(f.rollout, new Map(), "promote");
    if ("refused" in promoted) throw new Error(promoted.refused);
    f.rollout = promoted.rollout;
    f.run(spec, "v2");
    expect(f.rollout.state).toBe("Completed");
    expect(command(f.rollout, new Map(), "promote")).toMatchObject({ refused: expect.stringContaining("Completed") });
  });

  it("halts in the first stage on a workload that never becomes ready and rolls back; later stages never get it", () => {
    const f = fleet(names8);
    const spec: RolloutSpec = { stages: [{ name: "canary", count: 2, maxUnavailable: 2 }] };
    f.tick(spec, "v1");
    for (const s of f.state.values()) s.broken = true;
    f.run(spec, "v2");
    expect(f.rollout.state).toBe("RolledBack");
    expect(f.rollout.reason).toMatch(/c1: Degraded: Deployment web: ProgressDeadlineExceeded/);
    expect(f.steps()).toMatchObject({ c1: "RolledBack", c2: "RolledBack", c3: "Pending", c8: "Pending" });
    expect(f.assigned()).toEqual(Object.fromEntries(names8.map((n) => [n, "v1"])));
    const touched = new Set(f.log.flatMap((d) => d.events.flatMap((e) => (e.kind === "cluster" && e.step === "Updating" ? [e.cluster] : []))));
    expect([...touched]).toEqual(["c1", "c2"]);
    // Nothing moves any more until a retry or a new revision.
    f.report();
    f.tick(spec, "v2");
    expect(f.assigned()).toEqual(Object.fromEntries(names8.map((n) => [n, "v1"])));
  });

  it("counts a cluster not Healthy within the progress deadline as failed; onFailure pause halts without moving back", () => {
    const f = fleet(["a", "b"]);
    const spec: RolloutSpec = { progressDeadline: "1m", onFailure: "pause" };
    f.tick(spec, "v1");
    f.tick(spec, "v2");
    f.state.get("a")!.status = { ...at("v2"), sync: "SYNCED", health: "PROGRESSING", message: "Deployment web: 0/1 ready" };
    f.advance(60_000);
    f.tick(spec, "v2");
    expect(f.rollout).toMatchObject({ state: "Halted", reason: "a: not Healthy within 1m: Progressing: Deployment web: 0/1 ready" });
    expect(f.state.get("a")!.assigned?.revision).toBe("v2");
    expect(f.steps().b).toBe("Pending");
  });

  it("says a cluster still reporting the old bundle of the same revision has not reported the new bundle, not its old health", () => {
    const f = fleet(["a"]);
    const spec: RolloutSpec = { progressDeadline: "1m", onFailure: "pause" };
    f.tick(spec, "v1");
    f.tick(spec, "v2");
    f.state.get("a")!.status = { ...at("v2"), bundleDigest: "sha256:v2-before-relabel", sync: "SYNCED", health: "HEALTHY", message: "" };
    f.advance(60_000);
    f.tick(spec, "v2");
    expect(f.rollout).toMatchObject({ state: "Halted", reason: "a: not Healthy within 1m: the agent has not reported the new bundle" });
  });

  it("tolerates maxFailures failed clusters", () => {
    const f = fleet(["a", "b", "c"]);
    const spec: RolloutSpec = { maxFailures: 1, maxUnavailable: "100%" };
    f.tick(spec, "v1");
    f.state.get("b")!.broken = true;
    f.run(spec, "v2");
    expect(f.rollout.state).toBe("Completed");
    expect(f.steps()).toEqual({ a: "Healthy", b: "Failed", c: "Healthy" });
  });

  it("skips a disconnected cluster without stalling, and gives it the revision when it is back", () => {
    const f = fleet(["a", "b", "c"]);
    f.tick(undefined, "v1");
    f.state.get("b")!.reachable = false;
    f.run(undefined, "v2");
    expect(f.rollout.state).toBe("Completed");
    expect(f.steps()).toEqual({ a: "Healthy", b: "Skipped", c: "Healthy" });
    expect(f.state.get("b")!.assigned?.revision).toBe("v1");
    f.state.get("b")!.reachable = true;
    f.tick(undefined, "v2");
    expect(f.state.get("b")!.assigned?.revision).toBe("v2");
    f.report();
    f.tick(undefined, "v2");
    expect(f.steps().b).toBe("Healthy");
  });

  it("does not advance a cluster before its dependsOn Apps are Healthy there", () => {
    const f = fleet(["a"]);
    f.tick(undefined, "v1");
    f.tick(undefined, "v2", { a: ["db"] });
    expect(f.state.get("a")!.record).toMatchObject({ step: "Pending", message: "waiting for dependsOn db to be Healthy here" });
    expect(f.rollout.state).toBe("Progressing");
    f.tick(undefined, "v2");
    expect(f.steps().a).toBe("Updating");
  });

  it("pause stops new moves, resume continues; abort leaves clusters as they are", () => {
    const f = fleet(["a", "b", "c", "d"]);
    f.tick(undefined, "v1");
    f.tick(undefined, "v2");
    const paused = command(f.rollout, new Map(), "pause");
    if ("refused" in paused) throw new Error(paused.refused);
    f.rollout = paused.rollout;
    f.report();
    f.tick(undefined, "v2");
    expect(f.steps()).toEqual({ a: "Healthy", b: "Pending", c: "Pending", d: "Pending" });
    const resumed = command(f.rollout, new Map(), "resume");
    if ("refused" in resumed) throw new Error(resumed.refused);
    f.rollout = resumed.rollout;
    f.tick(undefined, "v2");
    expect(f.steps().b).toBe("Updating");
    const aborted = command(f.rollout, new Map(), "abort");
    if ("refused" in aborted) throw new Error(aborted.refused);
    f.rollout = aborted.rollout;
    f.report();
    f.tick(undefined, "v2");
    expect([...f.state.values()].map((s) => s.assigned?.revision)).toEqual(["v2", "v2", "v1", "v1"]);
  });

  it("retry starts a rolled-back revision again from the first stage", () => {
    const f = fleet(["a", "b"]);
    f.tick(undefined, "v1");
    f.state.get("a")!.broken = true;
    f.run(undefined, "v2");
    expect(f.rollout.state).toBe("RolledBack");
    f.state.get("a")!.broken = false;
    const records = new Map([...f.state].map(([n, s]) => [n, s.record!]));
    const retried = command(f.rollout, records, "retry");
    if ("refused" in retried) throw new Error(retried.refused);
    f.rollout = retried.rollout;
    for (const [n, rec] of retried.records!) f.state.get(n)!.record = rec;
    f.run(undefined, "v2");
    expect(f.rollout.state).toBe("Completed");
  });

  it("a newer revision supersedes a running rollout from the first stage; rollback returns to the last Healthy bundle", () => {
    const f = fleet(["a", "b", "c", "d"]);
    f.tick(undefined, "v1");
    f.tick(undefined, "v2");
    f.report();
    f.tick(undefined, "v2"); // a Healthy on v2, b updating to v2
    expect(f.steps()).toMatchObject({ a: "Healthy", b: "Updating" });
    for (const s of f.state.values()) s.broken = true;
    const d = f.tick(undefined, "v3");
    expect(d.events[0]).toEqual({ kind: "started" });
    expect(d.rollout).toMatchObject({ from: "v1", to: "v3", state: "Progressing" });
    expect(f.state.get("b")!.record!.previous?.revision).toBe("v1");
    expect(f.state.get("a")!.record!.previous?.revision).toBe("v2");
    f.run(undefined, "v3");
    expect(f.rollout.state).toBe("RolledBack");
    expect(f.state.get("a")!.assigned?.revision).toBe("v2");
  });

  it("a cluster left Updating by a rollback with nowhere to return, Healthy since, returns there when the next revision rolls back", () => {
    const f = fleet(["a", "b", "c"]);
    for (const s of f.state.values()) Object.assign(s, { assigned: undefined, status: undefined });
    const all: RolloutSpec = { maxUnavailable: "100%" };
    f.tick(all, "v2");
    f.state.get("a")!.status = degraded(at("v2"), "Deployment web: ProgressDeadlineExceeded");
    f.tick(all, "v2"); // a failed before b and c reported: rolled back, and none had an earlier revision
    expect(f.rollout.state).toBe("RolledBack");
    expect(f.steps()).toMatchObject({ b: "Updating", c: "Updating" });
    f.report(); // all Healthy on v2 now; the rolled-back rollout records nothing more
    f.state.get("a")!.broken = true;
    expect(f.tick(all, "v3").rollout).toMatchObject({ from: "v2", to: "v3", state: "Progressing" });
    f.run(all, "v3");
    expect(f.rollout.state).toBe("RolledBack");
    expect(f.assigned()).toEqual({ a: "v2", b: "v2", c: "v2" });
  });

  it("a cluster that leaves the rollout's view keeps nothing; one that joins a completed rollout gets the revision", () => {
    const f = fleet(["a"]);
    f.tick(undefined, "v1");
    f.run(undefined, "v2");
    f.state.set("z", { assigned: undefined, status: undefined, reachable: true, record: undefined, broken: false });
    const d = decide({ strategy: resolveStrategy(undefined), rollout: f.rollout, key: "v2", to: "v2", clusters: [...f.views("v2"), { name: "z", labels: {}, reachable: true, wanted: at("v2"), blockedBy: [] }], now: 5 });
    expect(d.assign.get("z")).toEqual(at("v2"));
    expect(d.rollout.state).toBe("Completed");
  });
});
