// The controller over a real store: what it writes, by the clock it is given.
import { pino } from "pino";
import { expect, it } from "vitest";
import { parseDefinitions, type AppSpec } from "../definitions/index.js";
import type { AppRepository, Db } from "../store/index.js";
import { tempStore } from "../store/test-store.js";
import { createRolloutController } from "./controller.js";

const store = tempStore("rollout");
const fleetStore = tempStore("rollout-fleet");
const sha = "a".repeat(40);
const digest = "sha256:web";

/** A controller of one App, on every cluster, each rendering the same bundle. */
function controllerOf(db: Db, app: string, rollout: string, now: () => number) {
  const yaml = `apiVersion: gitfleet.dev/v1\nkind: App\nmetadata: {name: ${app}}\nspec: {source: s, path: '.', targets: [{name: all, clusterSelector: {}}]${rollout ? `, rollout: ${rollout}` : ""}}\n`;
  const [def] = parseDefinitions([{ yaml, origin: `${app}.yaml` }]);
  const spec = (def as { spec: AppSpec }).spec;
  return createRolloutController({
    db,
    apps: { get: async () => ({ name: app, spec, revision: sha }) } as unknown as AppRepository,
    log: pino({ level: "silent" }),
    forClusters: async (_app, _spec, _sha, clusters) => ({ targets: [{ digest }], clusters: new Map(clusters.map((c) => [c.name, { target: 0, outcome: { digest } }])) }),
    push: async () => {},
    serial: (fn) => fn(),
    heartbeatTimeoutMs: 30_000,
    now,
  });
}

it("stamps the rollout's updatedAt, like its audit rows, with the injected clock", async () => {
  const { db } = store();
  await db.cluster.create({ data: { name: "c1", credentialHash: "h1", approved: true, state: "Connected" } });
  let now = Date.UTC(2031, 0, 1); // far from the wall clock
  const controller = controllerOf(db, "web", "", () => now);
  try {
    await controller.tick("web"); // created: c1 starts updating
    const started = await db.rollout.findUniqueOrThrow({ where: { app: "web" } });
    expect(started).toMatchObject({ state: "Progressing", updatedAt: new Date(now) });
    now += 60_000;
    await db.appStatus.create({ data: { clusterName: "c1", app: "web", revision: sha, bundleDigest: digest, sync: "SYNCED", health: "HEALTHY", observedAt: new Date(now) } });
    await controller.tick("web"); // updated: c1 Healthy, the rollout completes
    expect(await db.rollout.findUniqueOrThrow({ where: { app: "web" } })).toMatchObject({ state: "Completed", updatedAt: new Date(now) });
    expect((await db.auditEvent.findMany({ where: { action: "rollout.completed" } })).map((e) => e.at)).toEqual([new Date(now)]);
  } finally {
    controller.stop();
  }
});

it("audits a tick that moves 10,000 clusters in a handful of rows naming every cluster", async () => {
  const { db } = fleetStore();
  const names = Array.from({ length: 10_000 }, (_, i) => `c${String(i).padStart(5, "0")}`);
  for (let i = 0; i < names.length; i += 500) await db.cluster.createMany({ data: names.slice(i, i + 500).map((name) => ({ name, credentialHash: `h-${name}`, approved: true, state: "Connected" })) });
  const controller = controllerOf(db, "fleet", "{maxUnavailable: 100%}", Date.now);
  const audited = async () => (await db.auditEvent.findMany({ orderBy: { id: "asc" } })).map((e) => ({ action: e.action, ...(JSON.parse(e.detail) as { step?: string; clusters?: string[] }) }));
  try {
    await controller.tick("fleet"); // every cluster Pending → Updating
    const rows = await audited();
    expect(rows.map((r) => r.action)).toEqual(["rollout.started", ...Array<string>(10).fill("rollout.clusters")]);
    expect(rows.filter((r) => r.step === "Updating").flatMap((r) => r.clusters).sort()).toEqual(names);
  } finally {
    controller.stop();
  }
}, 120_000);
