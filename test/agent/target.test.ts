// The target namespace the agent creates, and a wait that names every kind the cluster does not serve.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SyncState } from "@gitfleet/shared";
import { startKubeSim, type KubeSim } from "../kube-sim/index.js";
import { assignment, assignmentSet, cm, eventually, ns, startAgent, uniq } from "./harness.js";

describe("agent: target namespace and unserved kinds", () => {
  let sim: KubeSim;
  beforeAll(async () => {
    sim = await startKubeSim({ readyDelayMs: 100 });
  });
  afterAll(() => sim?.close());

  it("creates the target namespace, labelled as managed, and never prunes it; a bundle defining it adopts it", async () => {
    const agent = await startAgent(sim);
    const [app, space] = [uniq("tns"), uniq("target")];
    agent.runner.assignments(assignmentSet(assignment(app, [cm("conf", space)], { createNamespace: space })));
    await eventually(() => agent.runner.status(app)?.sync === SyncState.SYNCED, "synced");
    const labels = sim.store.get("v1", "Namespace", space)!.metadata.labels;
    expect(labels).toMatchObject({ "app.kubernetes.io/managed-by": "gitfleet" });
    expect(labels["gitfleet.dev/app"]).toBeUndefined();
    agent.runner.assignments(assignmentSet());
    await eventually(() => sim.store.get("v1", "ConfigMap", "conf", space) === undefined, "app removed");
    expect(sim.store.get("v1", "Namespace", space)).toBeDefined();
    const owner = uniq("owner");
    agent.runner.assignments(assignmentSet(assignment(owner, [ns(space), cm("conf", space)], { createNamespace: space })));
    await eventually(() => sim.store.get("v1", "Namespace", space)?.metadata.labels?.["gitfleet.dev/app"] === owner, "namespace adopted by the App defining it");
    await agent.close();
  });

  it("names every kind the cluster does not serve, and applies the rest meanwhile", async () => {
    const agent = await startAgent(sim);
    const app = uniq("crds");
    const custom = (apiVersion: string, kind: string, name: string) => ({ apiVersion, kind, metadata: { name, namespace: "default" } });
    agent.runner.assignments(assignmentSet(assignment(app, [
      custom("monitoring.coreos.com/v1", "ServiceMonitor", "a"), custom("monitoring.coreos.com/v1", "ServiceMonitor", "b"),
      custom("cert-manager.io/v1", "Certificate", "c"), cm(uniq("plain"), "default"),
    ])));
    const message = await eventually(() => agent.runner.status(app)?.message.includes("does not serve") && agent.runner.status(app)!.message, "wait reported");
    expect(message).toContain("monitoring.coreos.com/v1 ServiceMonitor (2 objects)");
    expect(message).toContain("cert-manager.io/v1 Certificate (1 object)");
    expect(agent.runner.status(app)!.sync).toBe(SyncState.OUT_OF_SYNC);
    await agent.close();
  });
});
