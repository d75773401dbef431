import { lstat, readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../../lib/processes.js";
import { appState, appYaml, BACKENDS, openArena, sourceYaml, type Arena } from "./fixture.js";

/** Every path under dir whose mode lets group or others in. */
async function opened(dir: string): Promise<string[]> {
  const out: string[] = [];
  const st = await lstat(dir);
  if (st.mode & 0o077) out.push(`${dir} ${(st.mode & 0o777).toString(8)}`);
  if (!st.isDirectory()) return out;
  for (const name of await readdir(dir)) {
    const p = join(dir, name);
    if ((await lstat(p)).isSymbolicLink()) continue; // a link's own mode means nothing
    out.push(...(await opened(p)));
  }
  return out;
}

// The data dir holds the database (rendered bundles with Secrets from Git), keys, mirrors and trees.
describe.concurrent.each(BACKENDS)("files at rest on $name", (backend) => {
  let arena: Arena;
  beforeAll(async () => {
    arena = await openArena("files", backend, {
      "web/kustomization.yaml": "resources: [secret.yaml]\n",
      "web/secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {k: v}\n",
    });
    await arena.apply(`${sourceYaml(arena)}---\n${appYaml("web", "web", "prod")}`);
    const head = arena.repo.git("rev-parse", "HEAD");
    await waitFor("the App to render", async () => (await appState(arena.hub, "web"))?.revision === head, 30_000);
  });
  afterAll(async () => arena?.close());

  it.sequential("keeps the data dir and everything under it readable by the hub's user only", async () => {
    const names = await readdir(arena.hub.dataDir);
    expect(names).toEqual(expect.arrayContaining(["git", "admin-token"]));
    expect(await opened(arena.hub.dataDir)).toEqual([]);
  });
});
