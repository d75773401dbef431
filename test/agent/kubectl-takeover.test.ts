// The agent taking over objects a team applied by hand with client-side `kubectl apply` (the usual move from
// hand-run kubectl to gitfleet): it server-side applies over them, Git's values win, and from then on it owns
// the fields it changed, so a later hand-run server-side apply of the old values conflicts with gitfleet.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { SyncState } from "@gitfleet/shared";
import { startKubeSim, type KubeSim } from "../kube-sim/index.js";
import { kubectlRunner, tempDir, type KubectlResult } from "../kube-sim/test-helpers.js";
import { assignment, assignmentSet, cm, deployment, eventually, startAgent, uniq } from "./harness.js";

describe("agent over objects kubectl applied client-side", () => {
  let sim: KubeSim;
  let cleanup: () => Promise<void>;
  let k: (args: string[], stdin?: string) => Promise<KubectlResult>;
  beforeAll(async () => {
    sim = await startKubeSim({ readyDelayMs: 50 });
    const t = await tempDir();
    cleanup = t.cleanup;
    await sim.writeKubeconfig(join(t.dir, "kubeconfig"));
    k = kubectlRunner(join(t.dir, "kubeconfig"), join(t.dir, "cache"));
  });
  afterAll(async () => {
    await sim?.close();
    await cleanup?.();
  });

  it("adopts them, Git's values win, and the fields it changed are gitfleet's from then on", async () => {
    const [app, conf, web] = [uniq("handmade"), uniq("conf"), uniq("web")];
    const byHand = [cm(conf, "default", { mode: "hand", keep: "1" }), deployment(web, "default", "nginx:1.25", 1)];
    const applied = await k(["apply", "-f", "-"], byHand.map((o) => stringify(o)).join("---\n"));
    expect(applied.code, applied.stderr).toBe(0);

    const agent = await startAgent(sim);
    agent.runner.assignments(assignmentSet(assignment(app, [cm(conf, "default", { mode: "git", keep: "1" }), deployment(web, "default", "nginx:1.26", 3)])));
    await eventually(() => agent.runner.status(app)?.sync === SyncState.SYNCED, "app Synced");
    expect(sim.store.get("v1", "ConfigMap", conf, "default")!.data).toEqual({ mode: "git", keep: "1" });
    const live = sim.store.get("apps/v1", "Deployment", web, "default")!;
    expect([live.spec.replicas, live.spec.template.spec.containers[0].image]).toEqual([3, "nginx:1.26"]);
    const csa = live.metadata.managedFields.find((m: { manager: string }) => m.manager === "kubectl-client-side-apply");
    expect(csa?.fieldsV1?.["f:spec"]?.["f:replicas"]).toBeUndefined();

    const again = await k(["apply", "--server-side", "-f", "-"], stringify(byHand[1]));
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('Apply failed with 2 conflicts: conflicts with "gitfleet"');
    expect(again.stderr).toContain(".spec.replicas");
    expect(parse((await k(["get", "deploy", web, "-o", "yaml"])).stdout).spec.replicas).toBe(3);
    await agent.close();
  });
});
