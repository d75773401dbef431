import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { startSimCluster, type SimCluster } from "../lib/sim-cluster.js";
import { BIN, ROOT, start, stopAll, waitFor } from "../lib/processes.js";
import { BACKENDS, cliOk, clusters, startHub, tempDir, waitClusterState, type HubProc } from "../lib/fleet.js";
import { createRepo } from "../lib/git.js";

type Obj = { kind: string; metadata: { name: string; namespace?: string }; [k: string]: unknown };

/** The token a pod of the install manifest's service account gets: kube-sim authorizes it by the RBAC applied to the cluster. */
const SA_TOKEN = "gitfleet-agent-service-account-token";

/** What the generated RBAC must allow and deny the agent, as [method, path, allowed]; writes are dry runs. */
const RIGHTS: [string, string, boolean][] = [
  ["GET", "/api/v1/namespaces", true],
  ["GET", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions?watch=true&timeoutSeconds=1", true],
  ["GET", "/api/v1/namespaces/gitfleet-system/secrets/gitfleet-agent-bootstrap", true],
  ["POST", "/api/v1/namespaces/apps/configmaps", true],
  ["DELETE", "/api/v1/namespaces/web/configmaps/nothing", true],
  ["POST", "/api/v1/namespaces", false],
  ["GET", "/api/v1/namespaces/gitfleet-system/secrets", false],
  ["GET", "/api/v1/namespaces/gitfleet-system/secrets/unrelated", false],
  ["GET", "/api/v1/namespaces/kube-system/secrets", false],
  ["POST", "/api/v1/namespaces/default/configmaps", false],
  ["DELETE", "/apis/apps/v1/namespaces/default/deployments/anything", false],
  ["POST", "/apis/rbac.authorization.k8s.io/v1/clusterroles", false],
  ["POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/apps/rolebindings", true],
];

/** A fresh kube-sim with the namespaces a namespace-limited agent is installed into. */
async function cluster(dir: string): Promise<SimCluster> {
  const c = await startSimCluster(dir);
  await c.kubectl(["apply", "--server-side", "-f", "-"], "apiVersion: v1\nkind: Namespace\nmetadata: {name: apps}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: web}\n");
  return c;
}

describe("the deploy bases", () => {
  let c: SimCluster;
  beforeAll(async () => {
    c = await cluster(await tempDir("deploy"));
  });

  it.each(["deploy/agent", "deploy/agent-namespaced", "deploy/hub/sqlite", "deploy/hub/postgres"])("%s renders with kustomize and applies to a cluster", async (base) => {
    const rendered = await c.kubectl(["kustomize", join(ROOT, base)]);
    expect(rendered).toContain("kind: Deployment");
    await c.kubectl(["apply", "--server-side", "-f", "-"], rendered);
    const kind = base.includes("hub") ? "gitfleet-hub" : "gitfleet-agent";
    expect(await c.kubectl(["get", "deployment", kind, "-n", "gitfleet-system", "-o", "name"])).toContain(`deployment.apps/${kind}`);
  });
});

describe.each(BACKENDS)("installing an agent with gitfleet cluster add on $name", (backend) => {
  let dir: string;
  let sim: SimCluster["sim"];
  let hub: HubProc;
  let ok: SimCluster["kubectl"];

  beforeAll(async () => {
    dir = await tempDir("install");
    ({ sim, kubectl: ok } = await cluster(dir));
    hub = await startHub(join(dir, "hub"), backend.args());
  });
  afterAll(stopAll);

  it("cluster add prints an install manifest with a one-use token that kubectl applies", async () => {
    const manifest = await cliOk(hub, ["cluster", "add", "edge-1", "--labels", "env=edge", "--namespaces", "apps,web", "--hub-address", "hub.example:7443"]);
    const objects = parseAllDocuments(manifest).map((d) => d.toJSON() as Obj);
    const names = objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`);
    expect(names).toEqual(expect.arrayContaining(["Namespace//gitfleet-system", "ServiceAccount/gitfleet-system/gitfleet-agent", "Role/apps/gitfleet-agent", "Role/web/gitfleet-agent", "Deployment/gitfleet-system/gitfleet-agent"]));

    await ok(["apply", "--server-side", "--force-conflicts", "-f", "-"], manifest);
    // Namespaced mode, least privilege: the service account may do what the agent needs and no more.
    sim.addToken(SA_TOKEN, { serviceAccount: { namespace: "gitfleet-system", name: "gitfleet-agent" } });
    const rights: [string, string, boolean][] = [];
    for (const [method, path] of RIGHTS) {
      const body = method === "POST" ? JSON.stringify({ metadata: { name: "probe" }, rules: [], roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "x" } }) : undefined;
      const r = await sim.request(method, method === "GET" ? path : `${path}?dryRun=All`, { body, token: SA_TOKEN, headers: { "content-type": "application/json" } });
      rights.push([method, path, r.status !== 403]);
    }
    expect(rights).toEqual(RIGHTS);

    const secret = JSON.parse(await ok(["get", "secret", "gitfleet-agent-bootstrap", "-n", "gitfleet-system", "-o", "json"])) as { data: { token: string } };
    const token = Buffer.from(secret.data.token, "base64").toString();
    expect(token).toMatch(/^gft_/);
    const tokens = JSON.parse(await cliOk(hub, ["token", "list", "-o", "json"])) as { id: string; maxUses: number; labels: Record<string, string> }[];
    expect(tokens.find((t) => token.startsWith(`gft_${t.id}_`))).toMatchObject({ maxUses: 1, labels: { env: "edge" } });
    const args = JSON.parse(await ok(["get", "deployment", "gitfleet-agent", "-n", "gitfleet-system", "-o", "jsonpath={.spec.template.spec.containers[0].args}"])) as string[];
    expect(args).toEqual(expect.arrayContaining(["--hub", "hub.example:7443", "--name", "edge-1", "--namespaces", "apps,web", "--state-dir", "/var/lib/gitfleet-agent"]));
    // The root filesystem is read-only, so the state dir must be a volume.
    const mounts = JSON.parse(await ok(["get", "deployment", "gitfleet-agent", "-n", "gitfleet-system", "-o", "jsonpath={.spec.template.spec.containers[0].volumeMounts}"])) as { mountPath: string }[];
    expect(mounts.map((m) => m.mountPath)).toContain("/var/lib/gitfleet-agent");

    // Run the agent as the Deployment would (its args, the token from the Secret, the service
    // account's rights and nothing more), pointed at our hub.
    const podArgs = args.map((a, i) => (args[i - 1] === "--hub" ? hub.grpc : a));
    const kubeconfig = join(dir, "sa-kubeconfig");
    await sim.writeKubeconfig(kubeconfig, { token: SA_TOKEN });
    let agent = start(BIN.agent, [...podArgs, "--kubeconfig", kubeconfig, "--state-dir", join(dir, "pod-1")], { GITFLEET_BOOTSTRAP_TOKEN: token });
    await waitClusterState(hub, "edge-1", "Connected");
    expect((await clusters(hub)).find((c) => c.name === "edge-1")?.labels).toEqual({ env: "edge" });
    // The credential lives in the cluster, so a new pod (fresh disk, spent token) is still the same cluster.
    expect(await ok(["get", "secret", "gitfleet-agent-credential", "-n", "gitfleet-system", "-o", "name"])).toContain("gitfleet-agent-credential");
    await agent.stop();
    agent = start(BIN.agent, [...podArgs, "--kubeconfig", kubeconfig, "--state-dir", join(dir, "pod-2")], { GITFLEET_BOOTSTRAP_TOKEN: token });
    await waitFor("the restarted pod to reconnect", () => agent.output().includes("connected to hub"));
    await waitClusterState(hub, "edge-1", "Connected");
    expect(agent.output()).toContain("reusing stored cluster identity");

    // With those rights it delivers into its namespaces and keeps its inventory.
    const repo = createRepo(join(dir, "git"));
    const cm = (ns: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: edge-settings, namespace: ${ns}}\ndata: {tier: edge}\n`;
    repo.commit({ "edge/apps.yaml": cm("apps"), "edge/web.yaml": cm("web") }, "edge settings");
    await cliOk(hub, ["apply", "-f", "-"], `apiVersion: gitfleet.dev/v1
kind: Source
metadata: {name: edge}
spec: {url: "file://${repo.dir}", branch: main, interval: 1h}
---
apiVersion: gitfleet.dev/v1
kind: App
metadata: {name: edge-settings}
spec:
  source: edge
  path: edge
  targets: [{name: all, clusterSelector: {matchLabels: {env: edge}}}]
`);
    await waitFor("the settings applied in both namespaces", () => ["apps", "web"].every((ns) => sim.store.get("v1", "ConfigMap", "edge-settings", ns)?.data?.tier === "edge"));
    await waitFor("the inventory written", () => sim.store.get("v1", "ConfigMap", "gitfleet-inventory-edge-settings", "gitfleet-system"));
    expect(agent.output()).not.toContain("forbidden");
  });
});
