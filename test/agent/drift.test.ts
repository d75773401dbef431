// Drift against kube-sim: changes by another field manager, removed labels, deleted objects;
// selfHeal on and off; ignore rules; Secret values never leave the agent.
import { KubeConfig, KubernetesObjectApi, PatchStrategy, type KubernetesObject } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SyncState, type DriftEvent, type KubeObject } from "@gitfleet/shared";
import { startKubeSim, type KubeSim } from "../kube-sim/index.js";
import { assignment, assignmentSet, cm, deployment, eventually, faultForTest, logLines, startAgent, uniq, type Agent } from "./harness.js";

const driftEvents = (agent: Agent): DriftEvent[] =>
  agent.sent.flatMap((m) => (m.msg?.case === "drift" ? ((m.msg.value.events ?? []) as DriftEvent[]) : []));
const fullReports = (agent: Agent, app: string) =>
  agent.sent.flatMap((m) => (m.msg?.case === "drift" && m.msg.value.apps?.includes(app) ? [m.msg.value] : []));

describe("agent drift against kube-sim", () => {
  let sim: KubeSim;
  let other: KubernetesObjectApi;
  const patch = (obj: KubernetesObject, manager = "kubectl") => other.patch(obj, undefined, undefined, manager, undefined, PatchStrategy.MergePatch);
  const replicas = (name: string) => (sim.store.get("apps/v1", "Deployment", name, "default") as { spec: { replicas: number } } | undefined)?.spec.replicas;

  beforeAll(async () => {
    sim = await startKubeSim({ readyDelayMs: 50 });
    const kc = new KubeConfig();
    kc.loadFromString(sim.kubeconfig());
    other = KubernetesObjectApi.makeApiClient(kc);
  });
  afterAll(() => sim?.close());

  async function deployed(extra: Parameters<typeof assignment>[2] = {}, objects?: (name: string) => KubeObject[]) {
    const agent = await startAgent(sim, { timings: { driftIntervalMs: 60_000, resyncMs: 60_000, healthRecheckMs: 50 } });
    const app = uniq("drift");
    const name = `${app}-web`;
    agent.runner.assignments(assignmentSet(assignment(app, objects?.(name) ?? [deployment(name, "default"), cm(`${app}-cm`, "default")], extra)));
    await eventually(() => agent.runner.status(app)?.sync === SyncState.SYNCED, "synced");
    return { agent, app, name };
  }

  it("selfHeal: a field changed by another manager is re-applied at once and reported healed, naming the manager", async () => {
    const { agent, name } = await deployed({ selfHeal: true });
    await patch({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace: "default" }, spec: { replicas: 5 } } as KubernetesObject);
    const healed = await eventually(() => driftEvents(agent).find((e) => e.ref?.name === name && e.healedAt), "healed drift event");
    expect(healed.fields).toEqual([expect.objectContaining({ path: "spec.replicas", desired: "2", live: "5" })]);
    expect(healed.manager).toBe("kubectl");
    expect(healed.firstSeen).toBeDefined();
    await eventually(() => replicas(name) === 2, "replicas restored");
    await agent.close();
  });

  it("selfHeal: a removed label and a deleted object are restored; deletion is flagged", async () => {
    const { agent, app, name } = await deployed({ selfHeal: true });
    await patch({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace: "default", labels: { "gitfleet.dev/app": null } } } as unknown as KubernetesObject, "editor");
    await eventually(() => sim.store.get("apps/v1", "Deployment", name, "default")?.metadata.labels?.["gitfleet.dev/app"] === app, "label restored");
    const labelEvent = await eventually(() => driftEvents(agent).find((e) => e.ref?.name === name && e.healedAt), "label drift event");
    expect(labelEvent.fields.map((f) => f.path)).toEqual(['metadata.labels["gitfleet.dev/app"]']);
    // A removal gives the remover no managedFields entry, so nobody can be named.
    expect(labelEvent.manager).toBe("");

    sim.store.delete("v1", "ConfigMap", `${app}-cm`, "default");
    await eventually(() => sim.store.get("v1", "ConfigMap", `${app}-cm`, "default"), "ConfigMap re-created");
    const deleted = await eventually(() => driftEvents(agent).find((e) => e.ref?.name === `${app}-cm`), "deleted event");
    expect(deleted).toMatchObject({ deleted: true });
    expect(deleted.healedAt).toBeDefined();
    await agent.close();
  });

  it("selfHeal off: the app is OutOfSync with the difference, left alone, and in sync again once reverted", async () => {
    const { agent, app, name } = await deployed({ selfHeal: false });
    await patch({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace: "default" }, spec: { replicas: 4 } } as KubernetesObject);
    const status = await eventually(() => (agent.lastSent(app)?.sync === SyncState.OUT_OF_SYNC ? agent.lastSent(app) : undefined), "OutOfSync");
    expect(status.message).toContain("spec.replicas");
    const report = fullReports(agent, app).at(-1)!;
    expect(report.events?.[0]).toMatchObject({ deleted: false, manager: "kubectl", fields: [{ path: "spec.replicas", desired: "2", live: "4" }] });
    expect(report.events?.[0]?.healedAt).toBeUndefined();
    await agent.runner.idle();
    expect(replicas(name)).toBe(4);

    await patch({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace: "default" }, spec: { replicas: 2 } } as KubernetesObject);
    await eventually(() => agent.lastSent(app)?.sync === SyncState.SYNCED, "Synced after revert");
    expect(fullReports(agent, app).at(-1)!.events).toEqual([]);
    await agent.close();
  });

  it("ignore rules: an ignored field is neither drift nor reset by a reconcile", async () => {
    const { agent, app, name } = await deployed({ selfHeal: true, ignoreFields: ["apps/Deployment:spec.replicas"] });
    await patch({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace: "default" }, spec: { replicas: 6 } } as KubernetesObject);
    // A change that is drift, after the ignored one: once it is healed, the Deployment has been compared too.
    await patch({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `${app}-cm`, namespace: "default" }, data: { a: "changed" } } as KubernetesObject);
    await eventually(() => driftEvents(agent).find((e) => e.ref?.name === `${app}-cm` && e.healedAt), "ConfigMap healed");
    await agent.runner.idle();
    expect(replicas(name)).toBe(6);
    expect(driftEvents(agent).some((e) => e.ref?.name === name)).toBe(false);
    await agent.close();
  });

  it("the periodic comparison finds drift the watches did not see", async () => {
    faultForTest(sim, { watch: true, errorRate: 1, errorStatus: 503 });
    const agent = await startAgent(sim, { timings: { driftIntervalMs: 200 } });
    const app = uniq("periodic");
    agent.runner.assignments(assignmentSet(assignment(app, [cm(`${app}-cm`, "default")], { selfHeal: false })));
    await eventually(() => agent.runner.status(app)?.sync === SyncState.SYNCED, "synced");
    const live = sim.store.get("v1", "ConfigMap", `${app}-cm`, "default")!;
    sim.store.put({ ...live, data: { a: "other" } });
    const e = await eventually(() => driftEvents(agent).find((x) => x.ref?.name === `${app}-cm`), "periodic drift");
    expect(e.fields.map((f) => f.path)).toEqual(["data.a"]);
    await agent.close();
  });

  it("never sends or logs Secret values", async () => {
    const secret = (name: string): KubeObject => ({ apiVersion: "v1", kind: "Secret", metadata: { name, namespace: "default" }, type: "Opaque", stringData: { password: "hunter2-desired" } });
    const { agent, app } = await deployed({ selfHeal: false }, (name) => [secret(name)]);
    const name = `${app}-web`;
    await patch({ apiVersion: "v1", kind: "Secret", metadata: { name, namespace: "default" }, data: { password: Buffer.from("hunter2-live").toString("base64") } } as KubernetesObject);
    const event = await eventually(() => driftEvents(agent).find((e) => e.ref?.name === name), "secret drift");
    expect(event.fields).toEqual([expect.objectContaining({ path: "data.password", desired: "[redacted]", live: "[redacted]" })]);
    await agent.runner.idle();
    expect(logLines.join("")).toContain("data.password");
    const everything = JSON.stringify(agent.sent, (_k, v) => (typeof v === "bigint" ? String(v) : v)) + logLines.join("");
    for (const value of ["hunter2", Buffer.from("hunter2-live").toString("base64"), Buffer.from("hunter2-desired").toString("base64")]) expect(everything).not.toContain(value);
    await agent.close();
  });
});
