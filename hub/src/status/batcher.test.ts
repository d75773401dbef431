import { create } from "@bufbuild/protobuf";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { HealthState, StatusReportSchema, SyncState } from "@gitfleet/shared";
import { createStatusBatcher, type StatusBatcher, type StatusEntry } from "./batcher.js";

const log = pino({ level: "silent" });
const report = (...apps: [string, string, HealthState][]) =>
  create(StatusReportSchema, { apps: apps.map(([app, revision, health]) => ({ app, revision, sync: SyncState.SYNCED, health })) });
const brief = (batch: StatusEntry[]) => batch.map((e) => `${e.cluster}/${e.status.app}@${e.status.revision}:${HealthState[e.status.health]}`).sort();

let open: StatusBatcher[] = [];
afterEach(async () => {
  await Promise.all(open.map((b) => b.close().catch(() => undefined)));
  open = [];
});

function batcher(write: (entries: StatusEntry[]) => Promise<void>, intervalMs = 60_000, maxPending = 1000) {
  let coalesced = 0;
  const b = createStatusBatcher({ write, intervalMs, maxPending, log, onCoalesced: () => coalesced++ });
  open.push(b);
  return { b, coalesced: () => coalesced };
}

describe("status batcher", () => {
  it("writes only the latest status of each cluster and App, in one batch", async () => {
    const batches: StatusEntry[][] = [];
    const { b, coalesced } = batcher(async (e) => void batches.push(e));
    const first = b.add("c1", report(["web", "v1", HealthState.PROGRESSING], ["api", "v1", HealthState.HEALTHY]));
    const second = b.add("c1", report(["web", "v1", HealthState.HEALTHY]));
    const other = b.add("c2", report(["web", "v1", HealthState.DEGRADED]));
    expect(b.pending).toBe(3);
    await b.flush();
    await Promise.all([first, second, other]);
    expect(batches.map(brief)).toEqual([["c1/api@v1:HEALTHY", "c1/web@v1:HEALTHY", "c2/web@v1:DEGRADED"]]);
    expect(coalesced()).toBe(1);
    expect(b.pending).toBe(0);
  });

  it("flushes on its interval, and at once when maxPending statuses wait", async () => {
    const batches: StatusEntry[][] = [];
    const timed = batcher(async (e) => void batches.push(e), 20).b;
    await timed.add("c1", report(["web", "v1", HealthState.HEALTHY]));
    expect(batches).toHaveLength(1);
    const full = batcher(async (e) => void batches.push(e), 60_000, 2).b;
    const a = full.add("c1", report(["web", "v2", HealthState.HEALTHY]));
    expect(batches).toHaveLength(1);
    await Promise.all([a, full.add("c2", report(["web", "v2", HealthState.HEALTHY]))]);
    expect(batches.map(brief)[1]).toEqual(["c1/web@v2:HEALTHY", "c2/web@v2:HEALTHY"]);
  });

  it("writes what is queued on close, and later reports at once", async () => {
    const written: string[] = [];
    const { b } = batcher(async (e) => void written.push(...brief(e)));
    const queued = b.add("c1", report(["web", "v1", HealthState.HEALTHY]));
    await b.close();
    await queued;
    expect(written).toEqual(["c1/web@v1:HEALTHY"]);
    await b.add("c2", report(["web", "v1", HealthState.HEALTHY]));
    expect(written).toEqual(["c1/web@v1:HEALTHY", "c2/web@v1:HEALTHY"]);
  });

  it("keeps a failed batch and writes it with the next one, newer statuses winning", async () => {
    const batches: string[][] = [];
    let fail = true;
    const { b } = batcher(async (e) => {
      if (fail) {
        fail = false;
        throw new Error("database is locked");
      }
      batches.push(brief(e));
    }, 10);
    const lost = b.add("c1", report(["web", "v1", HealthState.PROGRESSING], ["api", "v1", HealthState.HEALTHY]));
    await b.flush();
    expect(batches).toEqual([]);
    const newer = b.add("c1", report(["web", "v1", HealthState.HEALTHY]));
    await Promise.all([lost, newer]);
    expect(batches).toEqual([["c1/api@v1:HEALTHY", "c1/web@v1:HEALTHY"]]);
  });

  it("rejects the waiters of a batch that cannot be written while stopping", async () => {
    const { b } = batcher(async () => {
      throw new Error("store closed");
    });
    const queued = b.add("c1", report(["web", "v1", HealthState.HEALTHY]));
    const caught = queued.catch((err: Error) => err.message);
    await b.close();
    expect(await caught).toBe("store closed");
  });
});
