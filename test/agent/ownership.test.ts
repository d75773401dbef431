// One owner App per object, takeover of objects other tools made, and retries of failures the cluster's state caused.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KubeConfig, KubernetesObjectApi } from "@kubernetes/client-node";
import { SyncState, type KubeObject } from "@gitfleet/shared";
import { startKubeSim, type KubeSim } from "../kube-sim/index.js";
import { assignment, assignmentSet, cm, eventually, logLines, ns, startAgent, uniq } from "./harness.js";

const APP_LABEL = "gitfleet.dev/app";

describe("object ownership between Apps", () => {
  let sim: KubeSim;
  beforeAll(async () => {
    sim = await startKubeSim({ readyDelayMs: 100 });
  });
  afterAll(() => sim?.close());
  const owner = (name: string) => sim.store.get("v1", "ConfigMap", name, "default")?.metadata.labels?.[APP_LABEL];
  const failedMessage = (agent: Awaited<ReturnType<typeof startAgent>>, app: string) =>
    agent.runner.status(app)?.objects.find((o) => o.action === "failed")?.message;

  it("refuses a second App's apply of an object, naming the owner, without flip-flopping; takes it once the owner prunes it", async () => {
    const agent = await startAgent(sim);
    const [first, second, shared] = [uniq("first"), uniq("second"), uniq("frontend")];
    const a = assignment(first, [cm(shared, "default", { by: "first" })], { selfHeal: true });
    agent.runner.assignments(assignmentSet(a));
    await eventually(() => agent.runner.status(first)?.sync === SyncState.SYNCED, "first synced");
    const b = assignment(second, [cm(shared, "default", { by: "second" }), cm(uniq("own"), "default")], { selfHeal: true });
    agent.runner.assignments(assignmentSet(a, b));
    const message = await eventually(() => failedMessage(agent, second), "second refused");
    expect(message).toMatch(new RegExp(`ConfigMap/default/${shared} belongs to App "${first}"`));
    expect(agent.runner.status(second)!.sync).toBe(SyncState.FAILED);
    // Its own objects still apply; retries (with backoff) never take the object over.
    expect(agent.runner.status(second)!.objects.filter((o) => o.action === "created")).toHaveLength(1);
    const rv = sim.store.get("v1", "ConfigMap", shared, "default")!.metadata.resourceVersion;
    await new Promise((r) => setTimeout(r, 1500)); // several retries at the harness's 50-500 ms backoff
    expect(sim.store.get("v1", "ConfigMap", shared, "default")!.metadata.resourceVersion).toBe(rv);
    expect(owner(shared)).toBe(first);
    expect(logLines.filter((l) => l.includes('"drift detected"') && l.includes(shared))).toEqual([]);
    // The owner drops it from its path (prune on): it is deleted, then the second App creates it as its own.
    agent.runner.assignments(assignmentSet(assignment(first, [cm(uniq("other"), "default")], { selfHeal: true }), b));
    await eventually(() => owner(shared) === second && agent.runner.status(second)?.sync === SyncState.SYNCED, "second owns it");
    expect(sim.store.get("v1", "ConfigMap", shared, "default")!.data).toEqual({ by: "second" });
    await agent.close();
  });

  it("an owner with prune off releases the object when it is unassigned; deleting the refused App touches nothing", async () => {
    const agent = await startAgent(sim);
    const [keeper, taker, shared] = [uniq("keeper"), uniq("taker"), uniq("shared")];
    const k = assignment(keeper, [cm(shared, "default", { by: "keeper" })], { prune: false });
    const t = assignment(taker, [cm(shared, "default", { by: "taker" })]);
    agent.runner.assignments(assignmentSet(k));
    await eventually(() => agent.runner.status(keeper)?.sync === SyncState.SYNCED, "keeper synced");
    agent.runner.assignments(assignmentSet(k, t));
    await eventually(() => failedMessage(agent, taker)?.includes(`belongs to App "${keeper}"`), "taker refused");
    // The refused App goes away (prune on): the keeper's object is neither pruned nor changed.
    agent.runner.assignments(assignmentSet(k));
    await agent.runner.idle();
    await eventually(() => !sim.store.get("v1", "ConfigMap", `gitfleet-inventory-${taker}`, "gitfleet-system"), "taker's inventory removed");
    expect(owner(shared)).toBe(keeper);
    expect(sim.store.get("v1", "ConfigMap", shared, "default")!.data).toEqual({ by: "keeper" });
    // The keeper is unassigned with prune off: the object stays, released; the taker then adopts it.
    agent.runner.assignments(assignmentSet(t));
    await eventually(() => owner(shared) === taker && sim.store.get("v1", "ConfigMap", shared, "default")!.data?.by === "taker", "taker adopted it");
    await agent.close();
  });

  it("two Apps assigned at once settle on one owner: the other is refused", async () => {
    const agent = await startAgent(sim);
    const [one, two, shared] = [uniq("one"), uniq("two"), uniq("raced")];
    agent.runner.assignments(assignmentSet(assignment(one, [cm(shared, "default", { by: "one" })], { selfHeal: true }), assignment(two, [cm(shared, "default", { by: "two" })], { selfHeal: true })));
    const refused = await eventually(() => [one, two].find((app) => failedMessage(agent, app)), "one App refused");
    const winner = refused === one ? two : one;
    await eventually(() => agent.runner.status(winner)?.sync === SyncState.SYNCED, "the other synced");
    const rv = sim.store.get("v1", "ConfigMap", shared, "default")!.metadata.resourceVersion;
    await new Promise((r) => setTimeout(r, 1000));
    expect(sim.store.get("v1", "ConfigMap", shared, "default")!.metadata.resourceVersion).toBe(rv);
    expect(owner(shared)).toBe(winner);
    expect(failedMessage(agent, refused)).toContain(`belongs to App "${winner}"`);
    await agent.close();
  });

  it("adopts an object kubectl made by default, or refuses it by policy until it is handed over", async () => {
    const agent = await startAgent(sim);
    const kc = new KubeConfig();
    kc.loadFromString(sim.kubeconfig());
    const api = kc.makeApiClient(KubernetesObjectApi);
    const made = async (name: string) => api.create(cm(name, "default", { by: "kubectl" }) as KubeObject & { metadata: object }, undefined, undefined, "kubectl-create");
    const [adopted, refused, adopter, refuser] = [uniq("adopted"), uniq("refused"), uniq("adopter"), uniq("refuser")];
    await made(adopted);
    await made(refused);
    agent.runner.assignments(assignmentSet(
      assignment(adopter, [cm(adopted, "default", { by: "git" })]),
      assignment(refuser, [cm(refused, "default", { by: "git" })], { refuseTakeover: true }),
    ));
    await eventually(() => owner(adopted) === adopter, "adopted");
    const message = await eventually(() => failedMessage(agent, refuser), "refused");
    expect(message).toContain(`ConfigMap/default/${refused} exists and was not made by gitfleet (field managers: kubectl-create)`);
    expect(message).toContain(`label it ${APP_LABEL}=${refuser}`);
    expect(sim.store.get("v1", "ConfigMap", refused, "default")!.data).toEqual({ by: "kubectl" });
    // Handing it over by label: the next retry applies it.
    const live = sim.store.get("v1", "ConfigMap", refused, "default")!;
    sim.store.put({ ...live, metadata: { ...live.metadata, labels: { [APP_LABEL]: refuser } } });
    await eventually(() => sim.store.get("v1", "ConfigMap", refused, "default")!.data?.by === "git" && agent.runner.status(refuser)?.sync === SyncState.SYNCED, "applied after hand-over");
    await agent.close();
  });

  it("retries an object whose namespace does not exist yet, and applies it once the namespace is there", async () => {
    const agent = await startAgent(sim);
    const [app, space] = [uniq("later"), uniq("later-ns")];
    agent.runner.assignments(assignmentSet(assignment(app, [cm("conf", space)])));
    const message = await eventually(() => failedMessage(agent, app), "failed: no namespace");
    expect(message).toMatch(/not found/);
    await agent.kube.apply(ns(space));
    await eventually(() => agent.runner.status(app)?.sync === SyncState.SYNCED, "synced without a new assignment");
    expect(sim.store.get("v1", "ConfigMap", "conf", space)).toBeDefined();
    await agent.close();
  });
});
