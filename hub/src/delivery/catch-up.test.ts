// A hub sharing the database catches up on assignment changes whose notification it never got.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openStore, type Store } from "../store/index.js";
import { createDelivery, type Delivery } from "./index.js";
import { addCluster, until } from "./test-harness.js";
import { CATCH_UP_INTERVAL_MS } from "../config/intervals.js";

const tmp = mkdtempSync(join(tmpdir(), "gitfleet-catch-up-"));
const HUB = "hub-b";
let store: Store;
let delivery: Delivery;
const sentGenerations = new Map<string, number>();
const pushed: string[] = [];

beforeAll(async () => {
  store = await openStore({ dataDir: tmp });
  for (const name of ["held", "elsewhere"]) await addCluster(store.db, name, {});
  await store.db.cluster.update({ where: { name: "held" }, data: { hub: HUB } });
  await store.db.cluster.update({ where: { name: "elsewhere" }, data: { hub: "hub-c" } });
  sentGenerations.set("held", 0);
  sentGenerations.set("elsewhere", 0);
  delivery = createDelivery({
    db: store.db,
    log: pino({ level: "silent" }),
    dataDir: tmp,
    heartbeatTimeoutMs: 30_000,
    sessions: {
      get: () => ({}),
      clusters: () => [...sentGenerations.keys()],
      sentGeneration: (c) => sentGenerations.get(c),
      send(cluster, msg) {
        if (msg.msg?.case === "assignments") {
          sentGenerations.set(cluster, Number(msg.msg.value.generation));
          pushed.push(cluster);
        }
        return true;
      },
    },
    // Another hub leads and its notifications never arrive: only the catch-up can tell this one.
    coordination: {
      hubId: HUB,
      shared: true,
      feed: { publish: () => {}, subscribe: () => () => {}, close: async () => {} },
      leadership: { isLeader: () => false, lease: () => undefined, onChange: () => {}, close: async () => {} },
    },
  });
  delivery.start();
});
afterAll(async () => {
  await delivery.stop();
  await store.close();
  rmSync(tmp, { recursive: true, force: true });
});

it("sends the clusters it holds whose generation moved on another hub, and only those", async () => {
  await store.db.cluster.updateMany({ data: { generation: { increment: 1 }, generationAt: new Date() } });
  await until("the held cluster's push", async () => pushed.includes("held"), CATCH_UP_INTERVAL_MS * 3);
  expect(sentGenerations.get("held")).toBe(1);
  expect(pushed).not.toContain("elsewhere");
  // A later change is found by the next pass, which reads only what changed since the last.
  await store.db.cluster.update({ where: { name: "held" }, data: { generation: { increment: 1 }, generationAt: new Date() } });
  await until("the second push", async () => sentGenerations.get("held") === 2, CATCH_UP_INTERVAL_MS * 3);
  expect(pushed).toEqual(["held", "held"]);
}, CATCH_UP_INTERVAL_MS * 8);
