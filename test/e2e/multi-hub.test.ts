import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, start, stopAll, waitFor } from "../lib/processes.js";
import { cliOk, freshPostgresUrl, removeDir, startAgent, startHub, tempDir, waitClusterState, type HubProc } from "../lib/fleet.js";
import { createRepo, SAMPLE_REPO, startGitDaemon, webDeployment, type TestRepo } from "../lib/git.js";
import { githubPush, runAgent, simCluster, type SimCluster } from "../lib/clusters.js";
import { clusterTransitions } from "../lib/admin.js";

// Three gitfleet-hub processes on one PostgreSQL schema form one hub. Six kube-sim clusters, two
// agents on each hub (each agent lists all three hubs, its own first). The leader is SIGKILLed in
// the middle of a rollout: its agents move to the others, another hub takes the lease and finishes it.
const SECRET = "push-secret";
const env = {
  GITFLEET_HEARTBEAT_INTERVAL_S: "1",
  GITFLEET_RECONNECT_MAX_MS: "1000",
  // Hubs sharing a database share the key that seals Source secrets (the chart's secret-key).
  GITFLEET_SECRET_KEY: randomBytes(32).toString("hex"),
};
const NAMES = ["m1", "m2", "m3", "m4", "m5", "m6"];

type RolloutJson = { state: string; toRevision?: string; stages: { name: string; clusters: { cluster: string; step: string; revision?: string }[] }[] };
type AuditJson = { action: string; actor: string; detail: { to?: string; clusters?: string[]; step?: string; stage?: string } };

describe("three hubs on one PostgreSQL", () => {
  let dir: string;
  let repo: TestRepo;
  let daemon: Awaited<ReturnType<typeof startGitDaemon>>;
  const hubs: HubProc[] = [];
  const fleet: Record<string, SimCluster> = {};
  const alive = () => hubs.filter((h) => h.child.exitCode === null && h.child.signalCode === null);
  const metric = async (hub: HubProc, name: string) => {
    const text = await (await fetch(`http://${hub.http}/metrics`)).text();
    return Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1] ?? NaN);
  };
  const leaders = async () => {
    const flags = await Promise.all(alive().map(async (h) => ((await metric(h, "gitfleet_hub_leader")) === 1 ? h : undefined)));
    return flags.filter((h): h is HubProc => h !== undefined);
  };
  const oneLeader = () => waitFor("exactly one hub to hold the lease", async () => {
    const l = await leaders();
    return l.length === 1 ? l[0] : undefined;
  }, 60_000, 200);
  const image = (c: string) => (fleet[c]!.sim.store.get("apps/v1", "Deployment", "web", "web") as { spec?: { template?: { spec?: { containers?: { image?: string }[] } } } } | undefined)?.spec?.template?.spec?.containers?.[0]?.image;
  const rollout = async (hub: HubProc) => JSON.parse(await cliOk(hub, ["rollout", "status", "web", "-o", "json"])) as RolloutJson;
  const waitCompleted = (to: string) =>
    waitFor(`rollout of ${to.slice(0, 8)} to complete`, async () => {
      const r = await rollout(alive()[0]!);
      return r.toRevision === to && r.state === "Completed" ? r : undefined;
    }, 180_000, 500);
  const commit = (tag: string) => repo.commit({ "web/base/deployment.yaml": webDeployment(tag) }, `nginx ${tag}`);

  beforeAll(async () => {
    dir = await tempDir("multi-hub");
    repo = createRepo(join(dir, "git", "apps"), SAMPLE_REPO);
    daemon = await startGitDaemon(join(dir, "git"), "apps");
    const url = freshPostgresUrl();
    const adminToken = `gfa_${randomBytes(24).toString("hex")}`;
    for (let i = 0; i < 3; i++) {
      const dataDir = join(dir, `hub${i}`);
      // One admin token for the three (the chart's admin-token); the CLI finds it in each data dir.
      await mkdir(dataDir, { recursive: true, mode: 0o700 });
      await writeFile(join(dataDir, "admin-token"), adminToken + "\n", { mode: 0o600 });
      hubs.push(await startHub(dataDir, ["--database-url", url, "--heartbeat-timeout", "3s"], env));
    }
    const token = (await cliOk(hubs[1]!, ["token", "create"])).trim();
    for (const [i, name] of NAMES.entries()) {
      fleet[name] = await simCluster(dir, name, `fleet=demo,ring=${i === 0 ? "canary" : "main"}`);
      const list = [0, 1, 2].map((k) => hubs[(i + k) % 3]!.grpc).join(",");
      runAgent({ ...hubs[i % 3]!, grpc: list }, fleet[name]!, token, ["--resync", "5s"], env);
    }
    for (const name of NAMES) await waitClusterState(hubs[2]!, name, "Connected");
    const file = join(dir, "fleet.yaml");
    await writeFile(file, definitions(daemon.url("apps")));
    await cliOk(hubs[2]!, ["apply", "-f", file]);
    await waitCompleted(repo.git("rev-parse", "HEAD"));
  });
  afterAll(async () => {
    await stopAll();
    daemon?.stop();
    await removeDir(dir);
  });

  it("is one hub: one leader, agents on every hub, and a commit webhooked to a follower reaches every cluster", async () => {
    const leader = await oneLeader();
    expect(await Promise.all(hubs.map((h) => metric(h, "gitfleet_agent_streams")))).toEqual([2, 2, 2]);
    const follower = hubs.find((h) => h !== leader)!;
    const to = commit("1.28");
    expect(await githubPush(follower.http, "apps", SECRET)).toBe(202);
    const done = await waitCompleted(to);
    // Compared whole: an empty list of stages must not pass.
    expect(Object.fromEntries(done.stages.flatMap((s) => s.clusters).map((c) => [c.cluster, [c.step, c.revision]]))).toEqual(Object.fromEntries(NAMES.map((c) => [c, ["Healthy", to]])));
    expect(NAMES.every((c) => image(c) === "nginx:1.28")).toBe(true);
    // An admin call on a follower reaches an agent held by another hub (sync goes through the feed).
    const sync = await cliOk(follower, ["app", "sync", "web"]);
    for (const name of NAMES) expect(sync).toContain(name);
  });

  it("survives the leader's SIGKILL mid-rollout: the lease moves, its agents move, and nothing is lost", async () => {
    const leader = await oneLeader();
    const follower = hubs.find((h) => h !== leader)!;
    const to = commit("1.29");
    expect(await githubPush(follower.http, "apps", SECRET)).toBe(202);
    // The canary has it and bakes; the other five wait for the bake: the middle of the rollout.
    await waitFor("the canary to be Healthy on the new revision while the rollout goes on", async () => {
      const r = await rollout(follower);
      const canary = r.stages[0]?.clusters[0];
      return r.toRevision === to && r.state === "Progressing" && canary?.step === "Healthy" && canary.revision === to;
    }, 120_000, 200);
    const killedAt = Date.now();
    await leader.stop("SIGKILL");
    const streams = async () => (await Promise.all(alive().map((h) => metric(h, "gitfleet_agent_streams")))).reduce((x, y) => x + y);
    await waitFor("every agent to hold a stream to one of the hubs left", async () => (await streams()) === NAMES.length, 60_000, 100);
    console.log(`multi-hub: the killed hub's agents reconnected to the others ${Date.now() - killedAt} ms after its SIGKILL`);
    const next = await oneLeader();
    const failoverMs = Date.now() - killedAt;
    expect(next).not.toBe(leader);
    console.log(`multi-hub: lease moved to another hub ${failoverMs} ms after SIGKILL of the leader (goal: 15000 ms)`);

    const done = await waitCompleted(to);
    expect(done.stages.flatMap((s) => s.clusters).map((c) => [c.cluster, c.step, c.revision])).toEqual(expect.arrayContaining(NAMES.map((n) => [n, "Healthy", to])));
    expect(NAMES.every((c) => image(c) === "nginx:1.29")).toBe(true);
    // Every agent is connected again, to one of the two hubs left.
    for (const name of NAMES) await waitClusterState(next, name, "Connected");
    expect(await streams()).toBe(NAMES.length);
    // One rollout, started once and completed once, with every cluster's step recorded in order.
    const audit = (JSON.parse(await cliOk(next, ["audit", "--app", "web", "-o", "json"])) as AuditJson[]).filter((e) => e.detail.to === to);
    expect(audit.filter((e) => e.action === "rollout.started")).toHaveLength(1);
    expect(audit.filter((e) => e.action === "rollout.completed")).toHaveLength(1);
    for (const name of NAMES) {
      const steps = clusterTransitions(audit).filter((e) => e.detail.cluster === name).map((e) => e.detail.step);
      expect(steps, name).toContain("Healthy");
      expect(steps.at(-1), name).toBe("Healthy");
    }
    // The hubs left still deliver: a commit webhooked to the new leader reaches everyone.
    const again = commit("1.30");
    expect(await githubPush(next.http, "apps", SECRET)).toBe(202);
    await waitCompleted(again);
    expect(NAMES.every((c) => image(c) === "nginx:1.30")).toBe(true);
  });

  it("tells an agent held by another hub at once that its cluster was deleted", async () => {
    const [holder, other] = alive();
    const token = (await cliOk(other!, ["token", "create"])).trim();
    const agent = startAgent({ grpc: holder!.grpc }, ["--token", token, "--name", "doomed", "--state-dir", join(dir, "doomed")], env);
    await waitClusterState(other!, "doomed", "Connected");
    expect(await cliOk(other!, ["cluster", "delete", "doomed"])).toContain("deleted");
    await waitFor("the agent on the other hub to exit", () => agent.child.exitCode !== null, 60_000);
    expect(agent.child.exitCode).not.toBe(0);
    expect(agent.output()).toContain("CLUSTER_DELETED");
  });
});

describe("SQLite", () => {
  it("refuses a second hub on the same data dir, naming the first", async () => {
    const dir = await tempDir("single-hub");
    const first = await startHub(dir);
    const second = start(BIN.hub, ["--data-dir", dir, "--listen", "127.0.0.1:0", "--http-listen", "127.0.0.1:0"]);
    expect(await second.exited).toBe(2);
    expect(second.output()).toMatch(new RegExp(`in use by gitfleet-hub pid ${first.child.pid} on .*SQLite allows one hub.*PostgreSQL`, "s"));
    // The first one is unharmed, and after it stops another hub may start there.
    await first.stop();
    const third = await startHub(dir);
    await third.stop();
  });
});

function definitions(url: string): string {
  return `apiVersion: gitfleet.dev/v1
kind: Source
metadata: {name: apps}
spec: {url: "${url}", branch: main, interval: 1h, webhookSecret: ${SECRET}}
---
apiVersion: gitfleet.dev/v1
kind: App
metadata: {name: web}
spec:
  source: apps
  path: web/base
  targets:
  - {name: all, clusterSelector: {matchLabels: {fleet: demo}}}
  rollout:
    progressDeadline: 90s
    maxUnavailable: 2
    stages:
    - {name: canary, clusterSelector: {matchLabels: {ring: canary}}, maxUnavailable: 1, bakeTime: 8s}
`;
}
