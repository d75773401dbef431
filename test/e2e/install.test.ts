import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { startSimCluster, type SimCluster } from "../lib/sim-cluster.js";
import { BIN, ROOT, start, stopAll, waitFor } from "../lib/processes.js";
import { cliOk, clusters, removeDir, startHub, tempDir, waitClusterState, type HubProc } from "../lib/fleet.js";

type Obj = { kind: string; metadata: { name: string; namespace?: string }; [k: string]: unknown };

describe("installing gitfleet into a cluster", () => {
  let dir: string;
  let cluster: SimCluster;
  let hub: HubProc;
  const ok = (args: string[], stdin?: string) => cluster.kubectl(args, stdin);

  beforeAll(async () => {
    dir = await tempDir("install");
    cluster = await startSimCluster(dir);
    hub = await startHub(join(dir, "hub"));
    // A namespace-limited agent is installed into namespaces that already exist.
    await ok(["apply", "--server-side", "-f", "-"], "apiVersion: v1\nkind: Namespace\nmetadata: {name: apps}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: web}\n");
  });
  afterAll(async () => {
    await stopAll();
    await cluster?.sim.close();
    await removeDir(dir);
  });

  it.each(["deploy/agent", "deploy/agent-namespaced", "deploy/hub/sqlite", "deploy/hub/postgres"])("%s renders with kustomize and applies to a cluster", async (base) => {
    const rendered = await ok(["kustomize", join(ROOT, base)]);
    expect(rendered).toContain("kind: Deployment");
    await ok(["apply", "--server-side", "-f", "-"], rendered);
    const kind = base.includes("hub") ? "gitfleet-hub" : "gitfleet-agent";
    expect(await ok(["get", "deployment", kind, "-n", "gitfleet-system", "-o", "name"])).toContain(`deployment.apps/${kind}`);
  });

  it("cluster add prints an install manifest with a one-use token that kubectl applies", async () => {
    const manifest = await cliOk(hub, ["cluster", "add", "edge-1", "--labels", "env=edge", "--namespaces", "apps,web", "--hub-address", "hub.example:7443"]);
    const objects = parseAllDocuments(manifest).map((d) => d.toJSON() as Obj);
    const names = objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`);
    expect(names).toEqual(expect.arrayContaining(["Namespace//gitfleet-system", "ServiceAccount/gitfleet-system/gitfleet-agent", "Role/apps/gitfleet-agent", "Role/web/gitfleet-agent", "Deployment/gitfleet-system/gitfleet-agent"]));
    // Namespaced mode: no cluster-wide write rights.
    const clusterRole = objects.find((o) => o.kind === "ClusterRole") as { rules: { verbs: string[] }[] };
    expect(clusterRole.rules.flatMap((r) => r.verbs)).not.toContain("*");

    await ok(["apply", "--server-side", "--force-conflicts", "-f", "-"], manifest);
    const secret = JSON.parse(await ok(["get", "secret", "gitfleet-agent-bootstrap", "-n", "gitfleet-system", "-o", "json"])) as { data: { token: string } };
    const token = Buffer.from(secret.data.token, "base64").toString();
    expect(token).toMatch(/^gft_/);
    const tokens = JSON.parse(await cliOk(hub, ["token", "list", "-o", "json"])) as { id: string; maxUses: number; labels: Record<string, string> }[];
    expect(tokens.find((t) => token.startsWith(`gft_${t.id}_`))).toMatchObject({ maxUses: 1, labels: { env: "edge" } });
    const args = JSON.parse(await ok(["get", "deployment", "gitfleet-agent", "-n", "gitfleet-system", "-o", "jsonpath={.spec.template.spec.containers[0].args}"])) as string[];
    expect(args).toEqual(expect.arrayContaining(["--hub", "hub.example:7443", "--name", "edge-1", "--namespaces", "apps,web"]));

    // Run the agent as the Deployment would (its args, the token from the Secret), pointed at our hub.
    const podArgs = args.map((a, i) => (args[i - 1] === "--hub" ? hub.grpc : a));
    const kubeconfig = cluster.kubeconfig;
    let agent = start(BIN.agent, [...podArgs, "--kubeconfig", kubeconfig, "--state-dir", join(dir, "pod-1")], { GITFLEET_BOOTSTRAP_TOKEN: token });
    await waitClusterState(hub, "edge-1", "Connected");
    expect((await clusters(hub)).find((c) => c.name === "edge-1")?.labels).toEqual({ env: "edge" });
    // The credential lives in the cluster, so a new pod (fresh disk, spent token) is still the same cluster.
    expect(await ok(["get", "secret", "gitfleet-agent-credential", "-n", "gitfleet-system", "-o", "name"])).toContain("gitfleet-agent-credential");
    await agent.stop();
    agent = start(BIN.agent, [...podArgs, "--kubeconfig", kubeconfig, "--state-dir", join(dir, "pod-2")], { GITFLEET_BOOTSTRAP_TOKEN: token });
    await waitFor("the restarted pod to reconnect", () => agent.output().includes("connected to hub"));
    await waitClusterState(hub, "edge-1", "Connected");
    expect((await clusters(hub)).filter((c) => c.name === "edge-1")).toHaveLength(1);
  });
});
