import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RpcError } from "@gitfleet/shared";
import { cliOk, waitClusterState } from "../../lib/fleet.js";
import { listTokens } from "../../lib/admin.js";
import { BACKENDS, openArena, type Arena } from "./fixture.js";
import { registerRogue, type RogueAgent } from "./rogue-agent.js";

const failure = (p: Promise<unknown>) => p.then(() => undefined, (err: unknown) => RpcError.from(err));

// An agent killed after the hub registered it, before it saved its credential, registers again.
describe.concurrent.each(BACKENDS)("registration retries on $name", (backend) => {
  let arena: Arena;
  const opened: RogueAgent[] = [];
  const register = async (token: string, name: string) => {
    const r = await registerRogue(arena.hub.grpc, token, name);
    opened.push(r);
    return r;
  };
  const uses = async (token: string) => {
    const found = (await listTokens(arena.hub)).find((t) => token.includes(t.id));
    if (!found) throw new Error(`token ${token.slice(0, 8)}... is not listed`);
    return found.uses;
  };
  beforeAll(async () => {
    arena = await openArena("register", backend, { "README.md": "x\n" });
  });
  afterAll(async () => {
    for (const r of opened) r.close();
    await arena?.close();
  });

  it.sequential("gives the same token and name the same cluster and a fresh credential, until the agent connects", async () => {
    const token = (await cliOk(arena.hub, ["token", "create", "--max-uses", "1"])).trim();
    const first = await register(token, "retry");
    const second = await register(token, "retry");
    expect(second.credential).not.toBe(first.credential);
    expect(await uses(token)).toBe(1);
    // The lost credential is dead; the new one works.
    expect((await first.bundle("sha256:none")) as RpcError).toMatchObject({ reason: "CLUSTER_UNKNOWN" });
    await second.connect();
    // The second credential is the cluster's: its stream makes the one cluster "retry" Connected.
    expect(await waitClusterState(arena.hub, "retry", "Connected")).toMatchObject({ agentVersion: "rogue" });
    // Once the cluster has connected, its name is taken for good: the token cannot take it over.
    expect(await failure(register(token, "retry"))).toMatchObject({ reason: "CLUSTER_NAME_TAKEN" });
  });

  it.sequential("does not burn token uses on concurrent registrations or on a taken name", async () => {
    const token = (await cliOk(arena.hub, ["token", "create", "--max-uses", "2"])).trim();
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => register(token, "racer")));
    expect(results.filter((r) => r.status === "fulfilled").length).toBeGreaterThan(0);
    expect(await uses(token)).toBe(1);
    const other = (await cliOk(arena.hub, ["token", "create", "--max-uses", "1"])).trim();
    expect(await failure(register(other, "racer"))).toMatchObject({ reason: "CLUSTER_NAME_TAKEN" });
    expect(await uses(other)).toBe(0);
    await register(token, "second-use");
    expect(await uses(token)).toBe(2);
  });
});
