import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, stopAll, waitFor } from "../lib/processes.js";
import { BACKENDS, cli, cliOk, clusters, startAgent, startHub, tempDir, waitClusterState, type HubProc } from "../lib/fleet.js";

/** A child's kernel state, or how it ended: what a failed liveness test needs to tell a hang from a death. */
function processState(child: ChildProcess): string {
  if (child.exitCode !== null || child.signalCode !== null) return `exited: code ${child.exitCode}, signal ${child.signalCode}`;
  try {
    return readFileSync(`/proc/${child.pid}/status`, "utf8").match(/^State:.*$/m)?.[0] ?? "?";
  } catch (err) {
    return `no /proc entry: ${(err as Error).message}`;
  }
}

/** How often the hub logged a registration of this cluster (a restarted agent must not register again). */
const registrations = (hub: HubProc, name: string) =>
  hub.output().split("\n").filter((l) => l.includes('"cluster registered"') && l.includes(`"cluster":"${name}"`)).length;

// Each store's suite runs alongside the other's (much of it is waiting on agents and timeouts); the
// steps within one run in order. Processes stop when the file ends (stopAll here would stop the other's).
describe.concurrent.each(BACKENDS)("registration on $name", (backend) => {
  let dir: string;
  let hub: HubProc;
  let hubArgs: string[];
  const env = { GITFLEET_HEARTBEAT_INTERVAL_S: "1", GITFLEET_RECONNECT_MAX_MS: "1000" };

  beforeAll(async () => {
    dir = await tempDir(`reg-${backend.name}`);
    // Heartbeats every second; the timeout leaves room for a loaded machine to be late.
    hubArgs = [...backend.args(), "--heartbeat-timeout", "10s"];
    hub = await startHub(join(dir, "hub"), hubArgs, env);
  });

  it.sequential("creates a private admin token on first start and says where it is", async () => {
    const st = await stat(join(hub.dataDir, "admin-token"));
    expect(st.mode & 0o777).toBe(0o600);
    expect(hub.output()).toContain("created admin token");
    expect(hub.output()).toContain(join(hub.dataDir, "admin-token"));
  });

  it.sequential("registers an agent with token and agent labels, keeps its identity across restarts", async () => {
    const token = (await cliOk(hub, ["token", "create", "--labels", "env=staging", "--max-uses", "1"])).trim();
    expect(token).toMatch(/^gft_/);
    const state = join(dir, "a1");
    let agent = startAgent(hub, ["--token", token, "--name", "a1", "--labels", "zone=a", "--state-dir", state], env);
    const c = await waitClusterState(hub, "a1", "Connected");
    expect(c.labels).toEqual({ env: "staging", zone: "a" });
    expect(c.agentVersion).toBe("0.1.0");

    // Restart: same state dir, the one-use token is spent, so only the stored credential can work.
    await agent.stop();
    await waitClusterState(hub, "a1", "Disconnected");
    agent = startAgent(hub, ["--token", token, "--name", "a1", "--labels", "zone=a", "--state-dir", state], env);
    await waitClusterState(hub, "a1", "Connected");
    expect(agent.output()).toContain("reusing stored cluster identity");
    expect(registrations(hub, "a1")).toBe(1);
    const tokens = JSON.parse(await cliOk(hub, ["token", "list", "-o", "json"])) as { uses?: number; maxUses?: number }[];
    expect(tokens.find((t) => t.maxUses === 1)?.uses).toBe(1);

    // Hub restart: the agent reconnects by itself.
    await hub.stop();
    hub = await startHub(hub.dataDir, hubArgs, env, hub);
    await waitClusterState(hub, "a1", "Connected");

    // Secrets never reach the logs.
    const identity = JSON.parse(await readFile(join(state, "identity.json"), "utf8")) as { credential: string };
    const adminToken = (await readFile(join(hub.dataDir, "admin-token"), "utf8")).trim();
    for (const secret of [token, identity.credential, adminToken]) {
      expect(hub.output()).not.toContain(secret);
      expect(agent.output()).not.toContain(secret);
    }
  });

  // The test context's onTestFinished, not vitest's global one: the two stores' suites run concurrently,
  // and the global hook attaches to whichever test vitest last started (it stopped the other suite's
  // frozen agent mid-test, a CI flake).
  it.sequential("marks a silent agent Disconnected after the heartbeat timeout and takes it back when it resumes", async ({ onTestFinished }) => {
    const token = (await cliOk(hub, ["token", "create"])).trim();
    const agent = startAgent(hub, ["--token", token, "--name", "frozen", "--state-dir", join(dir, "frozen")], env);
    await waitClusterState(hub, "frozen", "Connected");
    onTestFinished(async () => void (await agent.stop()));
    agent.child.kill("SIGSTOP");
    try {
      await waitClusterState(hub, "frozen", "Disconnected");
    } finally {
      agent.child.kill("SIGCONT");
    }
    // Liveness after a freeze: once (load ~50, two hubs side by side) the way back took over 60 s; the
    // agent's and hub's words are kept in the failure.
    await waitClusterState(hub, "frozen", "Connected", 150_000).catch((err: Error) => {
      throw new Error(`${err.message}\nagent (${processState(agent.child)}):\n${agent.output().slice(-3000)}\nhub (${processState(hub.child)}):\n${hub.output().split("\n").filter((l) => l.includes("frozen")).join("\n").slice(-3000)}\nhub, last lines:\n${hub.output().slice(-2000)}`);
    });
  }, 300_000);

  it.sequential("refuses every bad token with its own error, and the agent exits non-zero", async ({ onTestFinished }) => {
    const register = async (name: string, token: string) => {
      const agent = startAgent(hub, ["--token", token, "--name", name, "--state-dir", join(dir, `bad-${name}`)], env);
      const code = await agent.exited;
      return { code, output: agent.output() };
    };
    // The refusals are independent: tokens made together, agents started together (each is a Node process to start).
    const [once, revoked, short, good] = (
      await Promise.all([["--max-uses", "1"], [], ["--ttl", "1s"], []].map((args) => cliOk(hub, ["token", "create", ...args])))
    ).map((t) => t.trim());
    const created = Date.now();
    const e1 = startAgent(hub, ["--token", once!, "--name", "e1", "--state-dir", join(dir, "e1")], env);
    onTestFinished(async () => void (await e1.stop()));
    expect(await cliOk(hub, ["token", "revoke", revoked!.split("_")[1]!])).toContain("revoked");
    await waitFor("the 1 s token to expire", () => Date.now() > created + 1_100);
    const [unknown, rv, expired, dup] = await Promise.all([
      register("u1", "gft_000000000000_notarealtokennotarealtoken"),
      register("r1", revoked!),
      register("x1", short!),
      register("a1", good!),
    ]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.output).toContain("TOKEN_UNKNOWN");
    expect(rv.code).not.toBe(0);
    expect(rv.output).toContain("TOKEN_REVOKED");
    expect(expired.code).not.toBe(0);
    expect(expired.output).toContain("TOKEN_EXPIRED");
    expect(dup.code).not.toBe(0);
    expect(dup.output).toContain("CLUSTER_NAME_TAKEN");

    await waitClusterState(hub, "e1", "Connected");
    const exhausted = await register("e2", once!);
    expect(exhausted.code).not.toBe(0);
    expect(exhausted.output).toContain("TOKEN_EXHAUSTED");

    const list = await cliOk(hub, ["token", "list"]);
    expect(list).toMatch(/Revoked/);
    expect(list).toMatch(/Exhausted/);
    expect(list).toMatch(/Expired/);
  });

  it.sequential("labels, then deletes a cluster; the deleted agent exits with a clear error", async () => {
    expect(await cliOk(hub, ["cluster", "label", "a1", "tier=gold", "zone-"])).toContain("tier=gold");
    const a1 = (await clusters(hub)).find((c) => c.name === "a1")!;
    expect(a1.labels).toEqual({ env: "staging", tier: "gold" });
    const show = await cliOk(hub, ["cluster", "show", "a1"]);
    expect(show).toMatch(/State:\s+Connected/);

    const token = (await cliOk(hub, ["token", "create"])).trim();
    const agent = startAgent(hub, ["--token", token, "--name", "doomed", "--state-dir", join(dir, "doomed")], env);
    await waitClusterState(hub, "doomed", "Connected");
    expect(await cliOk(hub, ["cluster", "delete", "doomed"])).toContain("deleted");
    expect(await agent.exited).not.toBe(0);
    expect(agent.output()).toContain("CLUSTER_DELETED");
    // Restarting it with the old state dir gets the same distinct error, not "unknown".
    const again = startAgent(hub, ["--name", "doomed", "--state-dir", join(dir, "doomed")], env);
    expect(await again.exited).not.toBe(0);
    expect(again.output()).toContain("was deleted");

    const missing = await cli(hub, ["cluster", "show", "doomed"]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('no cluster named "doomed"');
  });

  it.sequential("rejects admin calls without the admin token", async () => {
    const r = await cli({ dataDir: join(dir, "nowhere") }, ["--hub", hub.grpc, "--token", "wrong", "cluster", "list"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("UNAUTHENTICATED");
  });
});

describe("an agent started before its hub", () => {
  afterAll(stopAll);

  it("retries registration with backoff until the hub is up", async () => {
    const dir = await tempDir("early");
    const port = await freePort();
    const address = `127.0.0.1:${port}`;
    // The token is made by a first hub on the same data dir, which is then stopped.
    let hub = await startHub(join(dir, "hub"), [], {}, { grpc: address, http: "127.0.0.1:0" });
    const token = (await cliOk(hub, ["token", "create"])).trim();
    await hub.stop();
    const agent = startAgent({ grpc: address }, ["--token", token, "--name", "early", "--state-dir", join(dir, "early")], { GITFLEET_RECONNECT_MAX_MS: "500" });
    await waitFor("the agent to retry", () => agent.output().includes("retrying"));
    hub = await startHub(hub.dataDir, [], {}, { grpc: address, http: "127.0.0.1:0" });
    await waitClusterState(hub, "early", "Connected");
    expect(agent.child.exitCode).toBeNull();
  });
});

describe.concurrent.each(BACKENDS)("approval mode on $name", (backend) => {

  it("keeps a new cluster Pending until an admin approves it", async () => {
    const dir = await tempDir("approval");
    const hub = await startHub(join(dir, "hub"), ["--require-approval", ...backend.args()]);
    const token = (await cliOk(hub, ["token", "create"])).trim();
    const agent = startAgent(hub, ["--token", token, "--name", "waiting", "--state-dir", join(dir, "w")]);
    await waitClusterState(hub, "waiting", "Pending");
    await waitFor("agent to say it waits for approval", () => agent.output().includes("Pending until an admin"));
    expect(await cliOk(hub, ["cluster", "approve", "waiting"])).toContain("approved");
    await waitClusterState(hub, "waiting", "Connected");
  });
});
