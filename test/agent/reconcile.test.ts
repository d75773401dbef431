// The agent's reconcile runner against kube-sim: apply, prune, inventory, namespaces, CRDs, health, dependencies.
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { HealthState, SyncState, type KubeObject } from "@gitfleet/shared";
import type { ObjectId } from "../../agent/src/kube/client.js";
import { startKubeSim, type KubeSim } from "../kube-sim/index.js";
import { secretIdentityStore } from "../../agent/src/connection/credentials.js";
import { assignment, assignmentSet, cm, deployment, eventually, faultForTest, kubeFor, ns, startAgent, uniq } from "./harness.js";

describe("agent reconcile against kube-sim", () => {
  let sim: KubeSim;
  beforeAll(async () => {
    sim = await startKubeSim({ readyDelayMs: 100 });
  });
  afterAll(() => sim?.close());

  it("applies in order with SSA, labels and an inventory, reports Synced then Healthy", async () => {
    const agent = await startAgent(sim);
    const app = uniq("web");
    const space = uniq("ns");
    const a = assignment(app, [deployment("web", space), cm("conf", space), ns(space)]);
    agent.runner.assignments(assignmentSet(a));
    const healthy = await eventually(() => {
      const s = agent.lastSent(app);
      return s?.health === HealthState.HEALTHY ? s : undefined;
    }, "app Healthy");
    expect(healthy.sync).toBe(SyncState.SYNCED);
    expect(healthy.bundleDigest).toBe(a.bundleDigest);
    const first = agent.sent.map((m) => m.msg).find((m) => m?.case === "status" && m.value.apps?.some((x) => x.app === app));
    expect(first?.case === "status" && first.value.apps?.find((x) => x.app === app)).toMatchObject({ sync: SyncState.SYNCED, bundleDigest: a.bundleDigest });
    expect(healthy.objects.map((o) => `${o.ref?.kind}:${o.action}`)).toEqual(["Namespace:created", "ConfigMap:created", "Deployment:created"]);
    const live = sim.store.get("apps/v1", "Deployment", "web", space)!;
    expect(live.metadata.labels).toMatchObject({ "app.kubernetes.io/managed-by": "gitfleet", "gitfleet.dev/app": app });
    expect(live.metadata.managedFields?.some((f: { manager: string }) => f.manager === "gitfleet")).toBe(true);
    const inv = sim.store.get("v1", "ConfigMap", `gitfleet-inventory-${app}`, "gitfleet-system")!;
    expect(JSON.parse(inv.data.entries).map((e: { kind: string }) => e.kind).sort()).toEqual(["ConfigMap", "Deployment", "Namespace"]);
    // A second reconcile of the same bundle changes nothing.
    agent.runner.reconcile(app);
    await agent.runner.idle();
    expect(agent.runner.status(app)!.objects.map((o) => o.action)).toEqual(["unchanged", "unchanged", "unchanged"]);
    await agent.close();
  });

  it("applies only what Git changed, and heals a change made in the cluster", async () => {
    const kube = kubeFor(sim);
    const applies: string[] = [];
    const counting = { ...kube, apply: (obj: KubeObject, o?: { dryRun?: boolean }) => (o?.dryRun || applies.push(obj.metadata.name), kube.apply(obj, o)) };
    const agent = await startAgent(sim, { kube: counting });
    const app = uniq("quiet");
    const heal = { selfHeal: true };
    agent.runner.assignments(assignmentSet(assignment(app, [cm("a", "default"), cm("b", "default")], heal)));
    await eventually(() => agent.runner.status(app)?.sync === SyncState.SYNCED, "synced");
    const first = applies.length;
    agent.runner.reconcile(app);
    await agent.runner.idle();
    expect(applies.length).toBe(first);
    // A new revision that changes b only: a is not applied again.
    agent.runner.assignments(assignmentSet(assignment(app, [cm("a", "default"), cm("b", "default", { a: "2" })], heal)));
    await eventually(() => sim.store.get("v1", "ConfigMap", "b", "default")?.data?.a === "2", "b updated");
    await agent.runner.idle();
    expect(applies.slice(first).filter((n) => n === "a" || n === "b")).toEqual(["b"]);
    // Someone edits b in the cluster: the drift detector heals it.
    sim.store.put({ ...sim.store.get("v1", "ConfigMap", "b", "default")!, data: { a: "tampered" } });
    await eventually(() => sim.store.get("v1", "ConfigMap", "b", "default")?.data?.a === "2", "b healed");
    await agent.close();
  });

  it("prunes what the app no longer has, but never an object it does not own", async () => {
    const agent = await startAgent(sim);
    const app = uniq("prune");
    agent.runner.assignments(assignmentSet(assignment(app, [cm("keep", "default"), cm("drop", "default"), cm("foreign", "default")])));
    await eventually(() => agent.runner.status(app)?.sync === SyncState.SYNCED, "first sync");
    // Someone else takes "foreign" over: it loses our labels.
    const foreign = sim.store.get("v1", "ConfigMap", "foreign", "default")!;
    sim.store.put({ ...foreign, metadata: { ...foreign.metadata, labels: { owner: "someone" } } });
    agent.runner.assignments(assignmentSet(assignment(app, [cm("keep", "default")])));
    const s = await eventually(() => {
      const st = agent.runner.status(app);
      return st?.objects.some((o) => o.action === "pruned") ? st : undefined;
    }, "prune");
    expect(sim.store.get("v1", "ConfigMap", "drop", "default")).toBeUndefined();
    expect(sim.store.get("v1", "ConfigMap", "foreign", "default")).toBeDefined();
    expect(s.objects.find((o) => o.ref?.name === "foreign")?.message).toMatch(/not pruned/);
    expect(s.objects.find((o) => o.ref?.name === "drop")).toMatchObject({ action: "pruned", message: "ConfigMap/default/drop pruned" });
    await agent.close();
  });

  it("keeps the inventory in the cluster: a new agent prunes what an earlier one applied, and unassigning removes all", async () => {
    const app = uniq("inv");
    const space = uniq("ns");
    const first = await startAgent(sim);
    first.runner.assignments(assignmentSet(assignment(app, [ns(space), cm("one", space), cm("two", space)])));
    await eventually(() => first.runner.status(app)?.sync === SyncState.SYNCED, "first agent synced");
    await first.close();

    const second = await startAgent(sim);
    second.runner.assignments(assignmentSet(assignment(app, [ns(space), cm("one", space)])));
    await eventually(() => !sim.store.get("v1", "ConfigMap", "two", space), "two pruned by the second agent");
    expect(sim.store.get("v1", "ConfigMap", "one", space)).toBeDefined();

    second.runner.assignments(assignmentSet());
    await eventually(() => !sim.store.get("v1", "ConfigMap", `gitfleet-inventory-${app}`, "gitfleet-system"), "inventory deleted");
    await eventually(() => !sim.store.get("v1", "ConfigMap", "one", space), "objects pruned on unassign");
    // the store changes before the agent has read the API's answer: wait for the runner to forget the app
    await eventually(() => second.runner.status(app) === undefined, "app forgotten after its removal");
    await second.close();
  });

  it("saves inventories into a gitfleet-system made by the install manifest without reading or patching it", async () => {
    const own = await startKubeSim({ readyDelayMs: 0 });
    onTestFinished(() => own.close());
    const installer = kubeFor(own);
    await installer.apply(ns("gitfleet-system")); // unlabelled: not in the agent's cache
    installer.close();
    const kube = kubeFor(own);
    const namespaceCalls: string[] = [];
    const onNamespace = (verb: string, kind: string) => kind === "Namespace" && namespaceCalls.push(verb);
    const counting = { ...kube, get: (id: ObjectId) => (onNamespace("get", id.kind), kube.get(id)), apply: (obj: KubeObject, o?: { dryRun?: boolean }) => (onNamespace("apply", obj.kind), kube.apply(obj, o)) };
    const agent = await startAgent(own, { kube: counting });
    const app = uniq("inv");
    agent.runner.assignments(assignmentSet(assignment(app, [cm("one", "default")])));
    await eventually(() => agent.runner.status(app)?.sync === SyncState.SYNCED, "first revision synced");
    agent.runner.assignments(assignmentSet(assignment(app, [cm("one", "default"), cm("two", "default")])));
    await eventually(() => JSON.parse(own.store.get("v1", "ConfigMap", `gitfleet-inventory-${app}`, "gitfleet-system")?.data?.entries ?? "[]").length === 2, "second inventory saved");
    expect(namespaceCalls).toEqual([]);
    expect(own.store.get("v1", "Namespace", "gitfleet-system")?.metadata.labels?.["app.kubernetes.io/managed-by"]).toBeUndefined();
    await agent.close();
  });

  it("removes an app unassigned while the agent was down, found by its inventory", async () => {
    const app = uniq("gone");
    const first = await startAgent(sim);
    first.runner.assignments(assignmentSet(assignment(app, [cm(`${app}-cm`, "default")])));
    await eventually(() => first.runner.status(app)?.sync === SyncState.SYNCED, "synced");
    await first.close();
    const second = await startAgent(sim);
    second.runner.assignments(assignmentSet());
    await eventually(() => !sim.store.get("v1", "ConfigMap", `${app}-cm`, "default"), "pruned by inventory");
    await second.close();
  });

  it("persists assignment sets one at a time, in order, and stops only after the last is saved", async () => {
    const saved: string[] = [];
    let releaseFirst = () => {};
    const firstHeld = new Promise<void>((r) => (releaseFirst = r));
    const store = {
      load: async () => undefined,
      async save(set: ReturnType<typeof assignmentSet>) {
        const apps = set.assignments.map((a) => a.app).join(",") || "(none)";
        if (saved.length === 0 && apps !== "(none)") await firstHeld; // the first save is slow
        saved.push(apps);
      },
    };
    const agent = await startAgent(sim, { store });
    const app = uniq("saved");
    agent.runner.assignments(assignmentSet(assignment(app, [cm(`${app}-cm`, "default")])));
    agent.runner.assignments(assignmentSet());
    const stopped = agent.close();
    let done = false;
    void stopped.then(() => (done = true));
    await new Promise((r) => setImmediate(r));
    expect(done).toBe(false);
    releaseFirst();
    await stopped;
    expect(saved).toEqual([app, "(none)"]);
  });

  it("limits writes to the agent's namespaces: other objects fail by name, the rest applies", async () => {
    const allowed = uniq("ok");
    const agent = await startAgent(sim, { namespaces: [allowed] });
    const app = uniq("limited");
    agent.runner.assignments(assignmentSet(assignment(app, [ns(allowed), cm("in", allowed), cm("out", "kube-public")])));
    const s = await eventually(() => agent.runner.status(app), "status");
    expect(s.sync).toBe(SyncState.FAILED);
    const out = s.objects.find((o) => o.ref?.name === "out")!;
    expect(out.action).toBe("failed");
    expect(out.message).toContain('ConfigMap/kube-public/out is in namespace "kube-public"');
    expect(sim.store.get("v1", "ConfigMap", "in", allowed)).toBeDefined();
    expect(sim.store.get("v1", "ConfigMap", "out", "kube-public")).toBeUndefined();
    await agent.close();
  });

  it("applies a CRD, waits until it is Established, then its custom resources", async () => {
    const agent = await startAgent(sim);
    const app = uniq("crd");
    const group = `${uniq("g")}.example.com`;
    const crd: KubeObject = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: `widgets.${group}` },
      spec: {
        group,
        scope: "Namespaced",
        names: { plural: "widgets", singular: "widget", kind: "Widget", listKind: "WidgetList" },
        versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } }],
      },
    };
    const widget: KubeObject = { apiVersion: `${group}/v1`, kind: "Widget", metadata: { name: "w1", namespace: "default" }, spec: { size: 3 } };
    agent.runner.assignments(assignmentSet(assignment(app, [widget, crd])));
    const s = await eventually(() => (agent.runner.status(app)?.health === HealthState.HEALTHY ? agent.runner.status(app) : undefined), "CRD app Healthy");
    expect(s.objects.map((o) => o.ref?.kind)).toEqual(["CustomResourceDefinition", "Widget"]);
    expect(sim.store.get(`${group}/v1`, "Widget", "w1", "default")).toBeDefined();
    await agent.close();
  });

  it("waits for dependencies to be Healthy; reports a broken workload Degraded", async () => {
    const agent = await startAgent(sim);
    const base = uniq("base");
    const top = uniq("top");
    const broken = uniq("broken");
    agent.runner.assignments(assignmentSet(
      assignment(top, [cm(`${top}-cm`, "default")], { dependsOn: [base] }),
      assignment(base, [deployment(`${base}-d`, "default")]),
      assignment(broken, [deployment(`${broken}-d`, "default", "app:broken", 1)]),
    ));
    const waiting = await eventually(() => agent.runner.status(top), "top status");
    expect(waiting.sync).toBe(SyncState.OUT_OF_SYNC);
    expect(waiting.message).toContain(base);
    expect(sim.store.get("v1", "ConfigMap", `${top}-cm`, "default")).toBeUndefined();
    await eventually(() => agent.runner.status(top)?.health === HealthState.HEALTHY, "top Healthy after base");
    expect(agent.runner.status(base)?.health).toBe(HealthState.HEALTHY);
    const degraded = await eventually(() => (agent.lastSent(broken)?.health === HealthState.DEGRADED ? agent.lastSent(broken) : undefined), "broken Degraded");
    expect(degraded.objects[0]?.health).toBe("Failed");
    await agent.close();
  });

  it("reports a health change as soon as the workload changes, without waiting for a resync", async () => {
    const agent = await startAgent(sim);
    const app = uniq("watch");
    agent.runner.assignments(assignmentSet(assignment(app, [deployment(`${app}-d`, "default", "nginx:1", 1)])));
    await eventually(() => agent.lastSent(app)?.health === HealthState.HEALTHY, "Healthy");
    const live = sim.store.get("apps/v1", "Deployment", `${app}-d`, "default")!;
    sim.store.setStatus("apps/v1", "Deployment", `${app}-d`, "default", {
      ...live.status,
      conditions: [{ type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded", message: "stuck" }],
    });
    const s = await eventually(() => (agent.lastSent(app)?.health === HealthState.DEGRADED ? agent.lastSent(app) : undefined), "Degraded reported");
    expect(s.objects[0]).toMatchObject({ health: "Failed" });
    await agent.close();
  });

  it("a bad manifest fails that object (terminal); the other objects still apply", async () => {
    const agent = await startAgent(sim);
    const app = uniq("bad");
    const bad = cm("bad", "default", { "not a valid key!": "x" });
    agent.runner.assignments(assignmentSet(assignment(app, [bad, cm(`${app}-good`, "default")])));
    const s = await eventually(() => agent.runner.status(app), "status");
    expect(s.sync).toBe(SyncState.FAILED);
    expect(s.objects.find((o) => o.ref?.name === "bad")).toMatchObject({ action: "failed" });
    expect(s.message).toContain("ConfigMap/default/bad");
    expect(sim.store.get("v1", "ConfigMap", `${app}-good`, "default")).toBeDefined();
    await agent.close();
  });

  it("retries transient API errors with backoff until the apply goes through", async () => {
    const agent = await startAgent(sim);
    const app = uniq("flaky");
    faultForTest(sim, { path: "/api/v1/namespaces/default/configmaps", errorRate: 1, errorStatus: 503, times: 4 });
    agent.runner.assignments(assignmentSet(assignment(app, [cm(`${app}-cm`, "default")])));
    // The first status, however quickly the retries that follow it pass.
    const first = await eventually(() => agent.sent.map((m) => m.msg).flatMap((m) => (m?.case === "status" ? m.value.apps : [])).find((x) => x?.app === app), "first status");
    // Not Failed: a rollout would count that against the revision and roll the fleet back.
    expect(first.sync).toBe(SyncState.OUT_OF_SYNC);
    expect(first.message).toMatch(new RegExp(`^retrying: ConfigMap/default/${app}-cm: `));
    await eventually(() => agent.runner.status(app)?.sync === SyncState.SYNCED, "synced after retries");
    await agent.close();
  });

  it("keeps the cluster identity in a Secret with --credential-secret", async () => {
    const kube = kubeFor(sim);
    const store = secretIdentityStore(kube, "default", uniq("identity"));
    expect(await store.load()).toBeUndefined();
    await store.save({ name: "c1", hub: "hub:1", credential: "cred-123" });
    expect(await store.load()).toEqual({ name: "c1", hub: "hub:1", credential: "cred-123" });
  });

  it("reconciles from persisted assignments and cached bundles while the hub is unreachable", async () => {
    const app = uniq("offline");
    const first = await startAgent(sim);
    first.runner.assignments(assignmentSet(assignment(app, [cm(`${app}-cm`, "default")])));
    await eventually(() => first.runner.status(app)?.sync === SyncState.SYNCED, "synced online");
    await first.runner.stop();
    sim.store.delete("v1", "ConfigMap", `${app}-cm`, "default");
    const unreachable = async () => {
      throw new Error("hub unreachable");
    };
    const second = await startAgent(sim, { stateDir: first.stateDir, fetch: unreachable });
    await second.runner.start();
    await eventually(() => sim.store.get("v1", "ConfigMap", `${app}-cm`, "default"), "re-created offline");
    await second.close();
    await first.close();
  });
});
