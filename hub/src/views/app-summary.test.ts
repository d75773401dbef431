// getApp over a real store: per cluster what it should run next to what it reports.
import { expect, it } from "vitest";
import { parseDefinitions, type AppSpec } from "../definitions/index.js";
import type { Ctx } from "../delivery/context.js";
import type { AppRepository } from "../store/index.js";
import { tempStore } from "../store/test-store.js";
import { getApp } from "./app-summary.js";

const store = tempStore("app-summary");
const sha = "a".repeat(40);

it("lists each assigned cluster once, and a cluster that still reports an App it lost", async () => {
  const [def] = parseDefinitions([{ yaml: "apiVersion: gitfleet.dev/v1\nkind: App\nmetadata: {name: web}\nspec: {source: s, path: '.', targets: [{name: all, clusterSelector: {}}]}\n", origin: "web.yaml" }]);
  const spec = (def as { spec: AppSpec }).spec;
  const { db } = store();
  const names = Array.from({ length: 300 }, (_, i) => `c${String(i).padStart(3, "0")}`);
  await db.cluster.createMany({ data: names.map((name, i) => ({ name, credentialHash: `h${i}`, approved: true, state: "Connected" })) });
  // Every cluster but the last is assigned; all report, the last one still on the App it lost.
  await db.assignment.createMany({ data: names.slice(0, -1).map((clusterName) => ({ clusterName, app: "web", target: "all", revision: sha, bundleDigest: "sha256:web" })) });
  await db.appStatus.createMany({ data: names.map((clusterName) => ({ clusterName, app: "web", revision: sha, bundleDigest: "sha256:web", sync: "SYNCED", health: "HEALTHY", observedAt: new Date() })) });
  const ctx = { db, apps: { get: async () => ({ name: "web", spec, revision: sha }) } as unknown as AppRepository } as unknown as Ctx;
  const { clusters } = await getApp(ctx, "web");
  expect(clusters.map((c) => c.cluster)).toEqual(names);
  expect(clusters.filter((c) => c.desiredRevision === sha)).toHaveLength(names.length - 1);
  expect(clusters.at(-1)).toMatchObject({ cluster: "c299", appliedRevision: sha });
  expect(clusters.at(-1)!.desiredRevision).toBeUndefined();
});
