import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HealthState, RpcError, SyncState } from "@gitfleet/shared";
import { waitFor } from "../../lib/processes.js";
import { cliOk, clusters } from "../../lib/fleet.js";
import { listDrift, showApp } from "../../lib/admin.js";
import { appYaml, BACKENDS, openArena, sourceYaml, type Arena } from "./fixture.js";
import { registerRogue, type RogueAgent } from "./rogue-agent.js";

const secret = (value: string) => `apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: prod}\nstringData: {password: ${value}}\n`;

// What an agent can reach: bundles hold Secrets from Git, so a cluster may read only what it is
// assigned (and the one before, for rollback); status is accepted only for its own Apps.
describe.concurrent.each(BACKENDS)("agent scope on $name", (backend) => {
  let arena: Arena;
  let victim: RogueAgent;
  let pending: RogueAgent;
  let bystander: RogueAgent;
  const digestOf = async (agent: RogueAgent, not: string[] = []) =>
    waitFor(`${agent.name} to be assigned a new bundle`, () => {
      const d = agent.sets.at(-1)?.assignments.find((a) => a.app === "db")?.bundleDigest;
      return d && !not.includes(d) ? d : undefined;
    }, 30_000);

  beforeAll(async () => {
    arena = await openArena("bundles", backend, { "db/secret.yaml": secret("one") }, ["--require-approval"]);
    await arena.apply(sourceYaml(arena) + "---\n" + appYaml("db", "db", "prod"));
    victim = await registerRogue(arena.hub.grpc, arena.token, "victim", { env: "prod" });
    pending = await registerRogue(arena.hub.grpc, arena.token, "pending", { env: "prod" });
    bystander = await registerRogue(arena.hub.grpc, arena.token, "bystander", { env: "dev" });
    await cliOk(arena.hub, ["cluster", "approve", "victim"]);
    await cliOk(arena.hub, ["cluster", "approve", "bystander"]);
    for (const a of [victim, pending, bystander]) await a.connect();
  });
  afterAll(async () => {
    for (const a of [victim, pending, bystander]) a?.close();
    await arena?.close();
  });

  it.sequential("serves a bundle to its cluster, and to no Pending or unassigned cluster", async () => {
    const digest = await digestOf(victim);
    expect(await victim.bundle(digest)).toContain(`"password":"one"`);
    for (const other of [pending, bystander]) {
      const got = await other.bundle(digest);
      expect(got).toBeInstanceOf(RpcError);
      expect((got as RpcError).message).not.toContain("password");
    }
    // Not found and not yours look the same: digests of other clusters' bundles are not confirmed.
    expect(((await bystander.bundle(digest)) as RpcError).reason).toBe("NOT_FOUND");
  });

  it.sequential("keeps the immediately previous bundle readable for rollback, not older ones", async () => {
    const first = await digestOf(victim);
    await arena.push({ "db/secret.yaml": secret("two") }, "rotate");
    const second = await digestOf(victim, [first]);
    expect(await victim.bundle(first)).toContain(`"password":"one"`);
    await arena.push({ "db/secret.yaml": secret("three") }, "rotate again");
    const third = await digestOf(victim, [first, second]);
    expect(await victim.bundle(third)).toContain(`"password":"three"`);
    expect(await victim.bundle(second)).toContain(`"password":"two"`);
    expect(await victim.bundle(first)).toBeInstanceOf(RpcError);
  });

  it.sequential("stores status only for the cluster's own Apps, with capped sizes", async () => {
    const forged = (message: string, extra = {}) => ({
      msg: { case: "status" as const, value: { apps: [{ app: "db", revision: "f".repeat(40), sync: SyncState.SYNCED, health: HealthState.HEALTHY, message, ...extra }] } },
    });
    for (const rogue of [pending, bystander]) {
      rogue.send(forged(`forged by ${rogue.name}`));
      rogue.send({ msg: { case: "drift", value: { apps: ["db"], events: [{ app: "db", ref: { apiVersion: "v1", kind: "Secret", namespace: "prod", name: "db" }, fields: [{ path: "data.password" }] }] } } });
      rogue.send({ msg: { case: "hello", value: { agentVersion: "after-forgery", kubernetesVersion: "v1.32.0" } } });
    }
    const huge = "x".repeat(200_000);
    victim.send(forged(huge, { objects: [{ ref: { apiVersion: "v1", kind: "Secret", namespace: "prod", name: "db" }, action: "configured", health: "Healthy", message: huge }] }));
    // Polled in the test process; the forgers' hello went after their forged status and drift on the same stream.
    const shown = await waitFor("the victim's status and both forgers' later hello", async () => {
      const later = (await clusters(arena.hub)).filter((c) => c.agentVersion === "after-forgery").map((c) => c.name).sort();
      const show = await showApp(arena.hub, "db");
      return later.join() === "bystander,pending" && show.clusters.some((c) => c.cluster === "victim" && c.message) ? show : undefined;
    });
    expect(shown.clusters.map((c) => c.cluster)).toEqual(["victim"]);
    expect(await listDrift(arena.hub, { history: true })).toEqual([]);
    const drift = JSON.parse(await cliOk(arena.hub, ["drift", "-o", "json"])) as { rows: unknown[] };
    expect(drift.rows).toEqual([]);
    const mine = shown.clusters[0]!;
    expect(mine.message!.length).toBeLessThan(10_000);
    expect(mine.message).toContain("truncated");
    expect(mine.objects![0]!.message!.length).toBeLessThan(10_000);
  });
});
