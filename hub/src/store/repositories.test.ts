import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CorruptRecordError, createAppRepository, createSourceRepository, openStore, type Store } from "./index.js";

const dir = mkdtempSync(join(tmpdir(), "gitfleet-repos-"));
let store: Store;
beforeAll(async () => {
  store = await openStore({ dataDir: dir });
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const appSpec = { source: "apps", path: "web", targets: [{ name: "all", clusterSelector: {} }] };

describe("typed repositories", () => {
  it("decode stored specs once, with defaults, and filter without Prisma in the caller", async () => {
    await store.db.source.create({ data: { name: "apps", spec: JSON.stringify({ url: "https://git.example/apps.git", branch: "main", interval: "5m" }), origin: "config:x" } });
    await store.db.app.create({ data: { name: "web", spec: JSON.stringify(appSpec), revision: "a".repeat(40) } });
    await store.db.app.create({ data: { name: "api", spec: JSON.stringify({ ...appSpec, source: "other" }) } });
    const apps = createAppRepository(store.db);
    const sources = createSourceRepository(store.db);
    const web = await apps.get("web");
    expect(web?.spec).toMatchObject({ source: "apps", path: "web", prune: true, selfHeal: true, dependsOn: [] });
    expect(web?.specJson).toBe(JSON.stringify(appSpec));
    expect((await apps.list({ delivered: true })).map((a) => a.name)).toEqual(["web"]);
    expect((await apps.list()).map((a) => a.name)).toEqual(["api", "web"]);
    expect(await apps.namesUsing("apps")).toEqual(["web"]);
    const src = await sources.get("apps");
    expect(src?.spec).toMatchObject({ url: "https://git.example/apps.git", ref: { kind: "branch", branch: "main" }, intervalMs: 300_000 });
    expect((await sources.list({ originPrefix: "config:" })).map((s) => s.name)).toEqual(["apps"]);
    expect(await sources.exists("nope")).toBe(false);
  });

  it("name the row and column when stored JSON does not validate", async () => {
    await store.db.app.create({ data: { name: "broken", spec: JSON.stringify({ source: "apps", targets: [] }) } });
    const err = await createAppRepository(store.db).get("broken").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CorruptRecordError);
    expect((err as Error).message).toMatch(/stored App "broken": column spec is not valid: .*spec\.targets/);
  });
});
