import { describe, expect, it } from "vitest";
import { createLanes, createSingleFlight } from "./concurrency.js";

const tick = () => new Promise((r) => setImmediate(r));

describe("lanes", () => {
  it("runs one at a time per lane, in order, past failures; other lanes run alongside", async () => {
    const lanes = createLanes();
    const log: string[] = [];
    let release!: () => void;
    const first = lanes.run("a", () => new Promise<void>((r) => (release = r)).then(() => void log.push("a1")));
    const failing = lanes.run("a", async () => {
      log.push("a2");
      throw new Error("boom");
    });
    const third = lanes.run("a", async () => void log.push("a3"));
    await lanes.run("b", async () => void log.push("b1"));
    expect(log).toEqual(["b1"]);
    release();
    await first;
    await expect(failing).rejects.toThrow("boom");
    await third;
    await lanes.idle("a");
    expect(log).toEqual(["b1", "a1", "a2", "a3"]);
  });
});

describe("single flight", () => {
  it("shares one run between concurrent callers of a key, and starts anew once it settled", async () => {
    const once = createSingleFlight<number>();
    let runs = 0;
    const start = async () => {
      await tick();
      return ++runs;
    };
    expect(await Promise.all([once("k", start), once("k", start), once("j", start)])).toEqual([1, 1, 2]);
    expect(await once("k", start)).toBe(3);
  });
});
