// Retention end to end: a hub that prunes every second, keeping one recent revision, on a cluster
// that gets several commits. Old Render rows, Bundles and checked-out trees go while the cluster keeps
// working, and a rollback to the previous revision (kept) and to an older one (rendered again) works.
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, cliOk } from "../lib/fleet.js";
import { startGitFleet, waitClusterApp, type GitFleet } from "../lib/git-fleet.js";
import { waitFor } from "../lib/processes.js";
import { openHubStore } from "../lib/store.js";
import type { Store } from "@gitfleet/hub/dist/src/store/index.js";

const configMap = (v: number) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web-config, namespace: default}\ndata: {v: "${v}"}\n`;
const APP = "apiVersion: gitfleet.dev/v1\nkind: App\nmetadata: {name: web}\nspec:\n  source: apps\n  path: web\n  targets: [{name: all, clusterSelector: {matchLabels: {env: test}}}]\n";

describe.each(BACKENDS)("retention on $name", (backend) => {
  let f: GitFleet;
  let store: Store;
  /** Per commit, in order: its SHA and the bundle the cluster was assigned for it. */
  const commits: { sha: string; digest: string }[] = [];
  const live = () => f.clusters.one!.sim.store.get("v1", "ConfigMap", "web-config", "default")?.data?.v as string | undefined;
  const applied = (sha: string) => waitClusterApp(f, "web", "one", `${sha.slice(0, 8)} applied and Healthy`, (c) => c.appliedRevision === sha && c.sync === "SYNC_STATE_SYNCED" && c.health === "HEALTH_STATE_HEALTHY");
  // Rollouts tick on status reports at most once a second: the next commit would otherwise supersede
  // an unfinished rollout, whose `from` (an older revision, kept) then stays.
  const rolledOut = (sha: string) => waitFor(`rollout to ${sha.slice(0, 8)} completed`, async () => {
    const r = await store.db.rollout.findUnique({ where: { app: "web" } });
    return r?.toRevision === sha && r.state === "Completed" ? r : undefined;
  }, 30_000, 200);
  const trees = () => readdir(join(f.hub.dataDir, "git", "trees", "apps")).catch(() => [] as string[]);
  const contents = async () => ({
    bundles: new Set((await store.db.bundle.findMany({ select: { digest: true } })).map((b) => b.digest)),
    renders: (await store.db.render.findMany({ select: { key: true } })).map((r) => r.key),
    trees: new Set(await trees()),
  });
  const renderedAt = (keys: string[], sha: string) => keys.some((k) => k.startsWith(`apps@${sha}:`));

  beforeAll(async () => {
    const args = backend.args();
    f = await startGitFleet(`retention-${backend.name}`, { one: "env=test" }, { "web/config.yaml": configMap(1) }, [],
      ["--retention-interval", "1s", "--keep-revisions", "1", ...args], { GITFLEET_RETENTION_GRACE_MS: "1000" });
    const url = args[args.indexOf("--database-url") + 1];
    store = await openHubStore(f.hub.dataDir, args.includes("--database-url") ? url : undefined);
  });
  afterAll(() => f?.close());

  it("removes the renders, bundles and trees of revisions nothing uses while the cluster keeps working", async () => {
    await f.apply(APP);
    const first = f.repo.git("rev-parse", "HEAD");
    commits.push({ sha: first, digest: (await applied(first)).desiredDigest! });
    await rolledOut(first);
    for (const v of [2, 3, 4]) {
      const sha = await f.push({ "web/config.yaml": configMap(v) }, `v${v}`);
      commits.push({ sha, digest: (await applied(sha)).desiredDigest! });
      await rolledOut(sha);
      expect(live()).toBe(String(v));
    }
    const [c1, c2, c3, c4] = commits as [typeof commits[0], typeof commits[0], typeof commits[0], typeof commits[0]];
    expect(new Set(commits.map((c) => c.digest)).size).toBe(4);
    // Kept: v4 (Source head, desired, applied) and v3 (the rollout's from, the previous assignment).
    const now = await waitFor("v1 and v2 renders, bundles and trees removed", async () => {
      const s = await contents();
      const gone = [c1, c2].every((c) => !s.bundles.has(c.digest) && !renderedAt(s.renders, c.sha) && !s.trees.has(c.sha));
      return gone ? s : undefined;
    }, 60_000, 500);
    expect(now.bundles.has(c3.digest) && now.bundles.has(c4.digest)).toBe(true);
    expect(renderedAt(now.renders, c4.sha)).toBe(true);
    expect(now.trees.has(c4.sha)).toBe(true);
    expect(f.hub.output()).toMatch(/retention: removed old renders, bundles and trees/);
    const line = f.hub.output().split("\n").find((l) => /"bundles":[1-9]/.test(l) && l.includes("retention: removed"));
    expect(line).toMatch(/"bundleBytes":[1-9]/);
    // The cluster is still Synced and Healthy on v4.
    await applied(c4.sha);
    expect(live()).toBe("4");
  });

  it("rolls back to the previous revision, and to one whose bundle and tree were removed", async () => {
    const [c1, , c3, c4] = commits as [typeof commits[0], typeof commits[0], typeof commits[0], typeof commits[0]];
    expect(await cliOk(f.hub, ["app", "pin", "web", c3.sha])).toContain("pinned");
    expect((await applied(c3.sha)).desiredDigest).toBe(c3.digest);
    expect(live()).toBe("3");
    // v1 was removed: pinning it renders it again from the mirror, into the same content-addressed bundle.
    await cliOk(f.hub, ["app", "pin", "web", c1.sha]);
    expect((await applied(c1.sha)).desiredDigest).toBe(c1.digest);
    expect(live()).toBe("1");
    await cliOk(f.hub, ["app", "unpin", "web"]);
    await applied(c4.sha);
    const c5 = await f.push({ "web/config.yaml": configMap(5) }, "v5");
    await applied(c5);
    expect(live()).toBe("5");
  });
});
