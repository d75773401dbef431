import { afterEach, beforeEach, expect, test, vi } from "vitest";
import pino from "pino";
import { createSingletonTasks } from "./singleton.js";

/** A lease this test hands out and takes back. */
function fakeLeadership(leader: boolean) {
  const watchers: ((leader: boolean) => void)[] = [];
  return {
    isLeader: () => leader,
    onChange: (fn: (leader: boolean) => void) => void watchers.push(fn),
    set(next: boolean) {
      leader = next;
      for (const w of watchers) w(next);
    },
  };
}

/** A task whose runs end when the test says so, counting runs and overlaps. */
function controlledTask() {
  const ends: (() => void)[] = [];
  const t = { runs: 0, inFlight: 0, maxInFlight: 0, finish: () => ends.shift()?.() };
  const task = () => {
    t.runs++;
    t.maxInFlight = Math.max(t.maxInFlight, ++t.inFlight);
    return new Promise<void>((resolve) => ends.push(() => (t.inFlight--, resolve())));
  };
  return { t, task };
}

const silent = pino({ level: "silent" });
beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

test("a task runs only while this hub leads", async () => {
  const lease = fakeLeadership(false);
  const tasks = createSingletonTasks(lease, silent);
  const { t, task } = controlledTask();
  tasks.every("prune", 1_000, task);
  await vi.advanceTimersByTimeAsync(5_000);
  expect(t.runs).toBe(0);
  lease.set(true);
  await vi.advanceTimersByTimeAsync(1_000);
  expect(t.runs).toBe(1);
  t.finish();
  await vi.advanceTimersByTimeAsync(1_000);
  expect(t.runs).toBe(2);
  t.finish();
  lease.set(false);
  await vi.advanceTimersByTimeAsync(10_000);
  expect(t.runs).toBe(2);
  await tasks.close();
});

test("runs never overlap, however slow, and losing then regaining the lease mid-run waits for the run", async () => {
  const lease = fakeLeadership(true);
  const tasks = createSingletonTasks(lease, silent);
  const { t, task } = controlledTask();
  tasks.every("sweep", 100, task);
  await vi.advanceTimersByTimeAsync(100);
  expect(t.inFlight).toBe(1);
  await vi.advanceTimersByTimeAsync(1_000); // ten intervals while the first run hangs
  lease.set(false);
  lease.set(true);
  await vi.advanceTimersByTimeAsync(1_000);
  expect([t.runs, t.maxInFlight]).toEqual([1, 1]);
  t.finish();
  await vi.advanceTimersByTimeAsync(100);
  expect([t.runs, t.maxInFlight]).toEqual([2, 1]);
  t.finish();
  await tasks.close();
});

test("a failing run is logged with the task's name and the loop goes on", async () => {
  const lines: { task?: string; msg?: string }[] = [];
  const log = pino({ level: "error" }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  const tasks = createSingletonTasks(fakeLeadership(true), log);
  let runs = 0;
  tasks.every("retention", 50, async () => {
    runs++;
    throw new Error("database gone");
  });
  await vi.advanceTimersByTimeAsync(100);
  expect(runs).toBe(2);
  expect(lines.map((l) => [l.task, l.msg])).toEqual([["retention", "task failed"], ["retention", "task failed"]]);
  await tasks.close();
});

test("close stops every task, waits for the run in progress and ignores later lease changes", async () => {
  const lease = fakeLeadership(true);
  const tasks = createSingletonTasks(lease, silent);
  const { t, task } = controlledTask();
  const hooks = { starts: 0, stops: 0 };
  tasks.every("drift", 100, task);
  tasks.whileLeader("rollouts", { start: () => void hooks.starts++, stop: () => void hooks.stops++ });
  await vi.advanceTimersByTimeAsync(100);
  let closed = false;
  const closing = tasks.close().then(() => (closed = true));
  await vi.advanceTimersByTimeAsync(0);
  expect(closed).toBe(false);
  t.finish();
  await closing;
  lease.set(false);
  lease.set(true);
  await vi.advanceTimersByTimeAsync(1_000);
  expect([t.runs, hooks]).toEqual([1, { starts: 1, stops: 1 }]);
  expect(() => tasks.every("late", 100, task)).toThrow(/after close/);
});

test("hooks follow each gain and loss of the lease once", async () => {
  const lease = fakeLeadership(false);
  const tasks = createSingletonTasks(lease, silent);
  const seen: string[] = [];
  tasks.whileLeader("sources", { start: () => void seen.push("start"), stop: () => void seen.push("stop") });
  lease.set(true);
  lease.set(true); // a repeated notice is no new gain
  lease.set(false);
  lease.set(true);
  expect(seen).toEqual(["start", "stop", "start"]);
  await tasks.close();
  expect(seen).toEqual(["start", "stop", "start", "stop"]);
});
