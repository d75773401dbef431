import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments, stringify } from "yaml";
import { CHARTS, helm } from "../lib/helm.js";
import { BIN, start, stopAll } from "../lib/processes.js";
import { startSimCluster, type SimCluster } from "../lib/sim-cluster.js";
import { cliOk, clusters, removeDir, startHub, tempDir, waitClusterState, type HubProc } from "../lib/fleet.js";

type Container = { args: string[]; env?: { name: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }[]; volumeMounts: { name: string; mountPath: string }[] };
type Obj = {
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: { replicas?: number; strategy?: { type: string }; selector?: { matchLabels: Record<string, string> }; template: { spec: { containers: Container[]; volumes: Record<string, unknown>[] } } };
  rules?: { verbs: string[] }[];
  [k: string]: unknown;
};

describe("helm charts", () => {
  let dir: string;
  let n = 0;
  const values = async (v: unknown) => {
    const file = join(dir, `values-${n++}.yaml`);
    await writeFile(file, stringify(v));
    return file;
  };
  const template = async (chart: string, v: unknown) => {
    const r = await helm(["template", "rel", chart, "--namespace", "gitfleet-system", "-f", await values(v)], dir);
    return { ...r, objects: r.code === 0 ? parseAllDocuments(r.stdout).map((d) => d.toJSON() as Obj).filter(Boolean) : [] };
  };
  const rendered = async (chart: string, v: unknown) => {
    const r = await template(chart, v);
    if (r.code !== 0) throw new Error(`helm template ${chart} failed: ${r.stderr}`);
    return r;
  };
  const find = (objects: Obj[], kind: string, name?: string) => objects.filter((o) => o.kind === kind && (!name || o.metadata.name === name));
  const container = (objects: Obj[]) => find(objects, "Deployment")[0]!.spec!.template.spec.containers[0]!;

  const sqlite = {};
  const postgres = { database: { type: "postgresql" }, secret: { existingSecret: "hub-secrets" }, replicaCount: 3, tls: { secretName: "hub-tls" }, serviceMonitor: { enabled: true } };
  const agentWide = { hub: { address: "hub.example:7443" }, cluster: { name: "eu-1", labels: { env: "prod" } }, bootstrapToken: { value: "gft_x_y" } };
  const agentNamespaced = { ...agentWide, rbac: { namespaces: ["apps", "web"] }, hub: { address: "hub.example:7443", caSecret: "hub-ca" } };

  beforeAll(async () => {
    dir = await tempDir("helm");
  });
  afterAll(async () => {
    await stopAll();
    await removeDir(dir);
  });

  it.each([
    ["hub", CHARTS.hub, sqlite],
    ["hub", CHARTS.hub, postgres],
    ["agent", CHARTS.agent, agentWide],
    ["agent", CHARTS.agent, agentNamespaced],
  ])("helm lint passes for the %s chart", async (_name, chart, v) => {
    const r = await helm(["lint", "--strict", chart, "-f", await values(v)], dir);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });

  it("hub with SQLite: one replica on a PersistentVolumeClaim, recreated on upgrade, two Services", async () => {
    const { objects } = await rendered(CHARTS.hub, sqlite);
    const [deploy] = find(objects, "Deployment");
    expect(deploy!.spec).toMatchObject({ replicas: 1, strategy: { type: "Recreate" } });
    const [pvc] = find(objects, "PersistentVolumeClaim");
    expect(deploy!.spec!.template.spec.volumes).toContainEqual({ name: "data", persistentVolumeClaim: { claimName: pvc!.metadata.name } });
    expect(container(objects).env?.map((e) => e.name)).not.toContain("DATABASE_URL");
    expect(find(objects, "Service").map((s) => (s.spec as unknown as { ports: { name: string; port: number }[] }).ports[0])).toEqual([
      { name: "grpc", port: 7443, targetPort: "grpc" },
      { name: "http", port: 7080, targetPort: "http" },
    ]);
    expect(find(objects, "ServiceMonitor")).toEqual([]);
    expect(find(objects, "PodDisruptionBudget")).toEqual([]);
  });

  it("hub with PostgreSQL: URL, admin token and secret key from a Secret, several replicas, TLS, ServiceMonitor", async () => {
    const { objects } = await rendered(CHARTS.hub, postgres);
    const [deploy] = find(objects, "Deployment");
    expect(deploy!.spec).toMatchObject({ replicas: 3, strategy: { type: "RollingUpdate" } });
    expect(find(objects, "PersistentVolumeClaim")).toEqual([]);
    const env = Object.fromEntries((container(objects).env ?? []).map((e) => [e.name, e.valueFrom?.secretKeyRef]));
    expect(env).toMatchObject({
      DATABASE_URL: { name: "hub-secrets", key: "database-url" },
      GITFLEET_ADMIN_TOKEN: { name: "hub-secrets", key: "admin-token", optional: false },
      GITFLEET_SECRET_KEY: { name: "hub-secrets", key: "secret-key", optional: false },
    });
    expect(container(objects).args).toEqual(expect.arrayContaining(["--tls-cert=/etc/gitfleet/tls/tls.crt", "--tls-key=/etc/gitfleet/tls/tls.key"]));
    expect(deploy!.spec!.template.spec.volumes).toContainEqual({ name: "tls", secret: { secretName: "hub-tls" } });
    const [monitor] = find(objects, "ServiceMonitor");
    const httpService = find(objects, "Service").find((s) => s.metadata.name.endsWith("-http"))!;
    const selector = (monitor!.spec as unknown as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
    expect(httpService.metadata.labels).toMatchObject(selector);
    // Several hubs: a drain keeps the others serving, and replicas spread over nodes.
    const [pdb] = find(objects, "PodDisruptionBudget");
    expect(pdb!.spec).toMatchObject({ maxUnavailable: 1, selector: { matchLabels: (deploy!.spec as unknown as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels } });
    expect((deploy!.spec!.template.spec as unknown as { topologySpreadConstraints: { topologyKey: string }[] }).topologySpreadConstraints[0]!.topologyKey).toBe("kubernetes.io/hostname");
  });

  it.each([
    [{ replicaCount: 2 }, "replicaCount=2 needs database.type=postgresql"],
    [{ database: { type: "postgresql" } }, "database.type=postgresql needs secret.existingSecret"],
    // values.schema.json: a wrong value or a misspelled key fails instead of being ignored.
    [{ database: { type: "mysql" } }, "'/database/type': value must be one of 'sqlite', 'postgresql'"],
    [{ replicas: 2 }, "additional properties 'replicas' not allowed"],
  ])("hub values %j fail the render with a clear message", async (v, message) => {
    const r = await template(CHARTS.hub, v);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(message);
  });

  it.each([
    [{ cluster: { name: "eu-1" } }, "hub.address is required"],
    [{ hub: { address: "h:1" }, cluster: { name: "EU_1" } }, "cluster.name must be a DNS label"],
    [{ ...agentWide, bootstrapToken: { value: "t", existingSecret: "s" } }, "not both"],
    [{ ...agentWide, rbac: { namespace: ["apps"] } }, "additional properties 'namespace' not allowed"],
  ])("agent values %j fail the render with a clear message", async (v, message) => {
    const r = await template(CHARTS.agent, v);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(message);
  });

  it("agent RBAC: every verb cluster-wide, or a Role per listed namespace and only reads cluster-wide", async () => {
    const wide = (await rendered(CHARTS.agent, agentWide)).objects;
    expect(find(wide, "ClusterRole")[0]!.rules!.flatMap((r) => r.verbs)).toContain("*");
    expect(find(wide, "Role").map((r) => r.metadata.namespace)).toEqual(["gitfleet-system"]);

    const limited = (await rendered(CHARTS.agent, agentNamespaced)).objects;
    expect(find(limited, "ClusterRole").flatMap((r) => r.rules!.flatMap((x) => x.verbs))).not.toContain("*");
    expect(find(limited, "Role", "rel-gitfleet-agent").map((r) => r.metadata.namespace)).toEqual(["apps", "web"]);
    expect(container(limited).args).toEqual(expect.arrayContaining(["--namespaces", "apps,web", "--ca-file", "/etc/gitfleet/hub-ca/ca.crt", "--labels", "env=prod"]));
  });

  describe("applied to a cluster", () => {
    let cluster: SimCluster;
    let hub: HubProc;
    const ok = (args: string[], stdin?: string) => cluster.kubectl(args, stdin);

    beforeAll(async () => {
      cluster = await startSimCluster(dir);
      hub = await startHub(join(dir, "hub"));
      await ok(["apply", "--server-side", "-f", "-"], ["gitfleet-system", "apps", "web"].map((ns) => `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${ns}}\n`).join("---\n"));
    });
    afterAll(async () => {
      await stopAll();
      await cluster?.sim.close();
    });

    it.each([
      ["SQLite", sqlite],
      ["PostgreSQL", { ...postgres, serviceMonitor: { enabled: false } }],
    ])("the hub chart rendered for %s applies", async (_name, v) => {
      const { stdout } = await rendered(CHARTS.hub, v);
      await ok(["apply", "--server-side", "--force-conflicts", "-f", "-"], stdout);
      expect(await ok(["get", "deployment", "rel-gitfleet-hub", "-n", "gitfleet-system", "-o", "name"])).toContain("deployment.apps/rel-gitfleet-hub");
    });

    it("cluster add -o helm-values → helm template → kubectl apply, and the agent registers", async () => {
      const text = await cliOk(hub, ["cluster", "add", "edge-1", "--labels", "env=edge", "--namespaces", "apps,web", "--hub-address", "hub.example:7443", "-o", "helm-values"]);
      const valuesFile = join(dir, "edge-1.yaml");
      await writeFile(valuesFile, text);
      const r = await helm(["template", "gitfleet-agent", CHARTS.agent, "--namespace", "gitfleet-system", "-f", valuesFile], dir);
      expect(r.code, r.stderr).toBe(0);
      await ok(["apply", "--server-side", "-f", "-"], r.stdout);

      const secret = JSON.parse(await ok(["get", "secret", "gitfleet-agent-bootstrap", "-n", "gitfleet-system", "-o", "json"])) as { data: { token: string } };
      const token = Buffer.from(secret.data.token, "base64").toString();
      const args = JSON.parse(await ok(["get", "deployment", "gitfleet-agent", "-n", "gitfleet-system", "-o", "jsonpath={.spec.template.spec.containers[0].args}"])) as string[];
      expect(args).toEqual(expect.arrayContaining(["--hub", "hub.example:7443", "--name", "edge-1", "--namespaces", "apps,web", "--credential-secret", "gitfleet-system/gitfleet-agent-credential"]));

      // Run the agent as the pod would (its args, the token from the Secret), pointed at our hub.
      const podArgs = args.map((a, i) => (args[i - 1] === "--hub" ? hub.grpc : args[i - 1] === "--state-dir" ? join(dir, "agent-state") : a));
      start(BIN.agent, [...podArgs, "--kubeconfig", cluster.kubeconfig], { GITFLEET_BOOTSTRAP_TOKEN: token });
      await waitClusterState(hub, "edge-1", "Connected");
      expect((await clusters(hub)).find((c) => c.name === "edge-1")?.labels).toEqual({ env: "edge" });
      expect(await ok(["get", "secret", "gitfleet-agent-credential", "-n", "gitfleet-system", "-o", "name"])).toContain("gitfleet-agent-credential");
    });
  });
});
