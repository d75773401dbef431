import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { stopAll, waitFor } from "../lib/processes.js";
import { cliOk, freshPostgresUrl, startHub, tempDir, waitClusterState, type HubProc } from "../lib/fleet.js";
import { createRepo, SAMPLE_REPO, startGitDaemon } from "../lib/git.js";
import { runAgent, simCluster } from "../lib/clusters.js";
import { appYaml, sourceYaml } from "../lib/definitions.js";

// Two hubs on one PostgreSQL, approval required. An agent registers and holds its stream on hub A
// (the one not holding the lease); an admin approves its cluster through hub B, which has no stream
// for it. Hub A must learn of it from the database's feed: the agent gets Connected and its App.
const env = { GITFLEET_HEARTBEAT_INTERVAL_S: "1", GITFLEET_SECRET_KEY: randomBytes(32).toString("hex") };

afterAll(stopAll);

it("delivers to an agent on one hub once its cluster is approved through another", async () => {
  const dir = await tempDir("multi-hub-approval");
  createRepo(join(dir, "git", "apps"), SAMPLE_REPO);
  const daemon = await startGitDaemon(join(dir, "git"), "apps");
  afterAll(() => daemon.stop());
  const url = freshPostgresUrl();
  const adminToken = `gfa_${randomBytes(24).toString("hex")}`;
  const hubs: HubProc[] = [];
  for (const name of ["first", "second"]) {
    const dataDir = join(dir, name);
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    await writeFile(join(dataDir, "admin-token"), adminToken + "\n", { mode: 0o600 });
    hubs.push(await startHub(dataDir, ["--database-url", url, "--require-approval"], env));
  }
  const leader = await waitFor("one hub to hold the lease", async () => {
    const flags = await Promise.all(hubs.map(async (h) => /^gitfleet_hub_leader 1$/m.test(await (await fetch(`http://${h.http}/metrics`)).text())));
    return flags.filter(Boolean).length === 1 ? hubs[flags.indexOf(true)] : undefined;
  });
  const [a, b] = [hubs.find((h) => h !== leader)!, leader];

  await writeFile(join(dir, "fleet.yaml"), [sourceYaml(daemon.url("apps"), "branch: main, interval: 1h"), appYaml("web", "web/base", "  targets:\n  - {name: all, clusterSelector: {matchLabels: {fleet: demo}}}\n")].join("---\n"));
  await cliOk(b, ["apply", "-f", join(dir, "fleet.yaml")]);
  const token = (await cliOk(b, ["token", "create"])).trim();
  const cluster = await simCluster(dir, "late", "fleet=demo");
  const agent = runAgent(a, cluster, token, [], env);
  await waitClusterState(b, "late", "Pending");
  await waitFor("the agent to hold its stream on hub A", () => agent.output().includes("Pending until an admin"));
  expect(cluster.sim.store.get("apps/v1", "Deployment", "web", "web")).toBeUndefined();

  const approvedAt = Date.now();
  expect(await cliOk(b, ["cluster", "approve", "late"])).toContain("approved");
  await waitFor("the App's Deployment on the approved cluster", () => cluster.sim.store.get("apps/v1", "Deployment", "web", "web"), 60_000, 100);
  console.log(`multi-hub-approval: approved through hub B, the Deployment applied by the agent on hub A ${Date.now() - approvedAt} ms later`);
  await waitClusterState(b, "late", "Connected");
  // The agent heard it on the stream it holds on hub A, not by reconnecting (to hub B or anywhere).
  expect(/^gitfleet_agent_streams 1$/m.test(await (await fetch(`http://${a.http}/metrics`)).text())).toBe(true);
  expect(agent.output()).not.toContain("hub stream lost");
});
