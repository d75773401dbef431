import { describe, expect, it } from "vitest";
import { createPollers } from "./pollers.js";

/** A run that waits until released, counting how many started. */
function gatedRuns() {
  const releases: (() => void)[] = [];
  let started = 0;
  return {
    run: () => new Promise<void>((resolve) => (started++, releases.push(resolve))),
    started: () => started,
    release: () => releases.shift()?.(),
  };
}
const tick = () => new Promise((r) => setImmediate(r));

describe("pollers", () => {
  it("runs once more after a run in flight when triggered meanwhile (a webhook during a fetch is not lost)", async () => {
    const g = gatedRuns();
    const pollers = createPollers(g.run, () => undefined);
    const first = pollers.trigger("apps");
    await tick();
    const second = pollers.trigger("apps");
    const third = pollers.trigger("apps");
    expect(g.started()).toBe(1);
    g.release();
    await first;
    await tick();
    expect(g.started()).toBe(2); // one follow-up for both triggers
    let settled = false;
    void second.then(() => (settled = true));
    await tick();
    expect(settled).toBe(false); // resolves when the follow-up is done
    g.release();
    await Promise.all([second, third]);
    expect(g.started()).toBe(2);
    pollers.stop();
  });

  it("runs at once when nothing is in flight, and not after stop", async () => {
    const g = gatedRuns();
    const pollers = createPollers(g.run, () => undefined);
    const a = pollers.trigger("a");
    const b = pollers.trigger("b");
    expect(g.started()).toBe(2);
    g.release();
    g.release();
    await Promise.all([a, b]);
    pollers.stop();
    await pollers.trigger("a");
    expect(g.started()).toBe(2);
  });
});
