// The controller over a real store: what it writes, by the clock it is given.
import { pino } from "pino";
import { expect, it } from "vitest";
import { parseDefinitions, type AppSpec } from "../definitions/index.js";
import type { AppRepository } from "../store/index.js";
import { tempStore } from "../store/test-store.js";
import { createRolloutController } from "./controller.js";

const store = tempStore("rollout");
const sha = "a".repeat(40);
const digest = "sha256:web";

it("stamps the rollout's updatedAt, like its audit rows, with the injected clock", async () => {
  const [def] = parseDefinitions([{ yaml: "apiVersion: gitfleet.dev/v1\nkind: App\nmetadata: {name: web}\nspec: {source: s, path: '.', targets: [{name: all, clusterSelector: {}}]}\n", origin: "web.yaml" }]);
  const spec = (def as { spec: AppSpec }).spec;
  const { db } = store();
  await db.cluster.create({ data: { name: "c1", credentialHash: "h1", approved: true, state: "Connected" } });
  let now = Date.UTC(2031, 0, 1); // far from the wall clock
  const controller = createRolloutController({
    db,
    apps: { get: async () => ({ name: "web", spec, revision: sha }) } as unknown as AppRepository,
    log: pino({ level: "silent" }),
    forClusters: async (_app, _spec, _sha, clusters) => ({ targets: [{ digest }], clusters: new Map(clusters.map((c) => [c.name, { target: 0, outcome: { digest } }])) }),
    push: async () => {},
    serial: (fn) => fn(),
    heartbeatTimeoutMs: 30_000,
    now: () => now,
  });
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
