// The agent's --metrics-listen end to end: the real binary against kube-sim and a hub, scraped after
// a delivery and after drift it heals.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubectlRunner } from "../kube-sim/test-helpers.js";
import { tempDir } from "../lib/fleet.js";
import { startGitFleet, waitClusterApp, type GitFleet } from "../lib/git-fleet.js";
import { sample } from "../lib/metrics.js";
import { waitFor } from "../lib/processes.js";

const configMap = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: default}\ndata: {v: "1"}\n`;
const app = `apiVersion: gitfleet.dev/v1\nkind: App\nmetadata: {name: web}\nspec:\n  source: apps\n  path: web\n  selfHeal: true\n  targets: [{name: all, clusterSelector: {matchLabels: {env: test}}}]\n`;

describe("agent metrics (--metrics-listen)", () => {
  let f: GitFleet;
  let address: string;
  const scrape = async () => {
    const res = await fetch(`http://${address}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    return res.text();
  };

  beforeAll(async () => {
    f = await startGitFleet("agent-metrics", { one: "env=test" }, { "web/config.yaml": configMap("web-config"), "web/other.yaml": configMap("web-other") }, ["--metrics-listen", "127.0.0.1:0"]);
    const agent = f.clusters.one!.agent!;
    // Port 0 picks a free port; the agent logs the one it bound.
    address = await waitFor("the agent's metrics address in its log", () => /"address":"(127\.0\.0\.1:\d+)","msg":"metrics listening"/.exec(agent.output())?.[1]);
  });
  afterAll(() => f?.close());

  it("counts a delivery's applies, API requests by verb and resource, reconcile durations and the hub connection", async () => {
    const before = await scrape();
    expect(sample(before, "gitfleet_agent_hub_connected")).toBe(1);
    expect(sample(before, "gitfleet_agent_hub_connects_total")).toBeGreaterThanOrEqual(1);
    expect(sample(before, "gitfleet_agent_applies_total")).toBe(0);

    await f.apply(app);
    await waitClusterApp(f, "web", "one", "Synced and Healthy", (c) => c.sync === "SYNC_STATE_SYNCED" && c.health === "HEALTH_STATE_HEALTHY");
    const after = await scrape();
    expect(sample(after, "gitfleet_agent_applies_total", { action: "created" })).toBeGreaterThanOrEqual(2);
    expect(sample(after, "gitfleet_agent_api_requests_total", { verb: "PATCH", resource: "configmaps" })).toBeGreaterThanOrEqual(2);
    expect(sample(after, "gitfleet_agent_api_requests_total", { verb: "WATCH", resource: "configmaps" })).toBeGreaterThanOrEqual(1);
    expect(sample(after, "gitfleet_agent_reconcile_duration_seconds_count", { mode: "full", result: "ok" })).toBeGreaterThanOrEqual(1);
    expect(sample(after, "gitfleet_agent_reconcile_duration_seconds_sum", { mode: "full" })).toBeGreaterThan(0);
    expect(sample(after, "gitfleet_agent_drift_episodes_total")).toBe(0);
    expect(sample(after, "process_resident_memory_bytes")).toBeGreaterThan(0);
  });

  it("counts a drift episode when someone else changes an applied field", async () => {
    const kubectl = kubectlRunner(f.clusters.one!.kubeconfig, join(await tempDir("agent-metrics"), "kcache"));
    const r = await kubectl(["patch", "-n", "default", "configmap/web-config", "-p", '{"data":{"v":"edited"}}']);
    expect(r.code, r.stderr).toBe(0);
    const text = await waitFor("a drift episode counted", async () => {
      const t = await scrape();
      return sample(t, "gitfleet_agent_drift_episodes_total", { app: "web" }) >= 1 && t;
    });
    expect(sample(text, "gitfleet_agent_api_requests_total", { verb: "PATCH dry-run", resource: "configmaps" })).toBeGreaterThanOrEqual(1);
    await waitFor("the edit healed", () => f.clusters.one!.sim.store.get("v1", "ConfigMap", "web-config", "default")?.data?.v === "1");
    expect(await fetch(`http://${address}/other`).then((res) => res.status)).toBe(404);
  });
});
