// Small bundles ride on the AssignmentSet, end to end: the real hub, agent and kube-sim. The hub's
// metrics count each bundle sent inline or served by GetBundle.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAgent } from "../lib/clusters.js";
import { waitClusterState } from "../lib/fleet.js";
import { AGENT_ARGS, FLEET_ENV, startGitFleet, waitClusterApp, type GitFleet } from "../lib/git-fleet.js";
import { sample } from "../lib/metrics.js";
import { waitFor } from "../lib/processes.js";

const configMap = (v: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web-config, namespace: default}\ndata: {v: "${v}"}\n`;
const app = `apiVersion: gitfleet.dev/v1\nkind: App\nmetadata: {name: web}\nspec:\n  source: apps\n  path: web\n  targets: [{name: all, clusterSelector: {matchLabels: {env: test}}}]\n`;

describe("bundles inline on the AssignmentSet", () => {
  let f: GitFleet;
  const applied = () => (f.clusters.one!.sim.store.get("v1", "ConfigMap", "web-config", "default") as { data?: { v?: string } } | undefined)?.data?.v;
  const bundlesSent = async () => {
    const text = await (await fetch(`http://${f.hub.http}/metrics`)).text();
    return { inline: sample(text, "gitfleet_bundles_sent_total", { via: "inline" }), getBundle: sample(text, "gitfleet_bundles_sent_total", { via: "get_bundle" }) };
  };
  const synced = (sha: string) => waitClusterApp(f, "web", "one", `Synced at ${sha.slice(0, 8)}`, (c) => c.appliedRevision === sha && c.sync === "SYNC_STATE_SYNCED");

  beforeAll(async () => {
    f = await startGitFleet("inline-bundles", { one: "env=test" }, { "web/config.yaml": configMap("1") });
    await f.apply(app);
    await waitFor("the first revision applied", () => applied() === "1");
  });
  afterAll(() => f?.close());

  it("applies a commit from the bundle that came with its assignment: no GetBundle call", async () => {
    const before = await bundlesSent();
    const sha = await f.push({ "web/config.yaml": configMap("2") }, "v2");
    await synced(sha);
    expect(applied()).toBe("2");
    expect(await bundlesSent()).toEqual({ inline: before.inline + 1, getBundle: before.getBundle });
  });

  it("fetches with GetBundle a bundle that changed while the agent was away: a new stream's first set carries none", async () => {
    const one = f.clusters.one!;
    await one.agent!.stop();
    await waitClusterState(f.hub, "one", "Disconnected");
    const sha = await f.push({ "web/config.yaml": configMap("3") }, "v3");
    await waitFor("v3 rendered", async () => (await f.app("web"))?.revision === sha);
    const before = await bundlesSent();
    runAgent(f.hub, one, undefined, AGENT_ARGS, FLEET_ENV);
    await synced(sha);
    expect(applied()).toBe("3");
    expect(await bundlesSent()).toEqual({ inline: before.inline, getBundle: before.getBundle + 1 });
  });
});
