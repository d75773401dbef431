// Failures the cluster's state causes heal on their own (retried with backoff); `gitfleet app sync` reconciles now.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, cliOk } from "../lib/fleet.js";
import { startGitFleet, waitClusterApp, type GitFleet } from "../lib/git-fleet.js";
import { waitFor } from "../lib/processes.js";

const app = (name: string, extra = "") => `apiVersion: gitfleet.dev/v1\nkind: App\nmetadata: {name: ${name}}\nspec:\n  source: apps\n  path: ${name}\n${extra}  targets: [{name: all, clusterSelector: {matchLabels: {env: test}}}]\n`;

describe("failures caused by the cluster's state", () => {
  let f: GitFleet;
  beforeAll(async () => {
    f = await startGitFleet("cluster-state", { one: "env=test", two: "env=test" }, {
      "late/config.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: late, namespace: later}\ndata: {a: '1'}\n",
      "manual/config.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: manual, namespace: default}\ndata: {a: '1'}\n",
    });
  });
  afterAll(() => f?.close());

  it("an App failing on a namespace that does not exist heals once it is created, without a new commit", async () => {
    const revision = f.repo.git("rev-parse", "HEAD");
    await f.apply(app("late"));
    const failed = await waitClusterApp(f, "late", "one", "Failed", (c) => c.sync === "SYNC_STATE_FAILED");
    expect(failed.message).toMatch(/ConfigMap\/later\/late: .*later.* not found/);
    f.clusters.one!.sim.store.put({ apiVersion: "v1", kind: "Namespace", metadata: { name: "later" } });
    const healed = await waitClusterApp(f, "late", "one", "Synced after the namespace appeared", (c) => c.sync === "SYNC_STATE_SYNCED");
    expect(healed.appliedRevision).toBe(revision);
    expect(f.clusters.one!.sim.store.get("v1", "ConfigMap", "late", "later")).toBeDefined();
  });

  it("gitfleet app sync re-applies now, on one cluster or all", async () => {
    await f.apply(app("manual", "  selfHeal: false\n"));
    const store = (c: string) => f.clusters[c]!.sim.store;
    await waitFor("manual applied on both", () => store("one").get("v1", "ConfigMap", "manual", "default") && store("two").get("v1", "ConfigMap", "manual", "default"));
    // With selfHeal off nothing puts them back on its own.
    for (const c of ["one", "two"]) store(c).delete("v1", "ConfigMap", "manual", "default");
    expect(await cliOk(f.hub, ["app", "sync", "manual", "--cluster", "one"])).toContain("app/manual: sync requested on one");
    await waitFor("re-applied on one", () => store("one").get("v1", "ConfigMap", "manual", "default"));
    expect(store("two").get("v1", "ConfigMap", "manual", "default")).toBeUndefined();
    expect(await cliOk(f.hub, ["app", "sync", "manual"])).toContain("sync requested on one, two");
    await waitFor("re-applied on two", () => store("two").get("v1", "ConfigMap", "manual", "default"));
    const wrong = await cli(f.hub, ["app", "sync", "manual", "--cluster", "nowhere"]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain('app "manual" is not assigned to cluster "nowhere"');
  });
});
