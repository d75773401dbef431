// Conformance: the real kubectl against kube-sim.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { startKubeSim, type KubeSim } from "./index.js";
import { kubectlRunner, tempDir, writeManifest, type KubectlResult } from "./test-helpers.js";

const deployment = (replicas: number, image = "nginx:1.25", name = "web") => `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: apps
  labels: {app: ${name}, tier: frontend}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
      - name: main
        image: ${image}
        ports: [{containerPort: 80}]
        env: [{name: MODE, value: blue}]
`;

describe("kubectl against kube-sim", () => {
  let sim: KubeSim;
  let dir: string;
  let cleanup: () => Promise<void>;
  let k: (args: string[], stdin?: string) => Promise<KubectlResult>;
  const ok = async (args: string[], stdin?: string) => {
    const r = await k(args, stdin);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} failed (${r.code}): ${r.stderr}`);
    return r.stdout;
  };

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    sim = await startKubeSim({ readyDelayMs: 100, failDelayMs: 300 });
    await sim.writeKubeconfig(join(dir, "kubeconfig"));
    k = kubectlRunner(join(dir, "kubeconfig"), join(dir, "cache"));
    await ok(["apply", "--server-side", "-f", "-"], "apiVersion: v1\nkind: Namespace\nmetadata: {name: apps}\n");
  });
  afterAll(async () => {
    await sim?.close();
    await cleanup?.();
  });

  it("serves version and discovery", async () => {
    const v = JSON.parse(await ok(["version", "-o", "json"]));
    expect(v.serverVersion.gitVersion).toMatch(/^v1\.32\./);
    const res = await ok(["api-resources", "--no-headers"]);
    for (const r of ["deployments", "configmaps", "customresourcedefinitions", "clusterrolebindings", "ingresses", "cronjobs"]) expect(res).toContain(r);
    expect(await ok(["get", "ns"])).toMatch(/apps\s+Active/);
  });

  it("apply --server-side creates, updates, conflicts without --force-conflicts, succeeds with it", async () => {
    const f = await writeManifest(dir, "web.yaml", deployment(2));
    expect(await ok(["apply", "--server-side", "-f", f])).toContain("deployment.apps/web serverside-applied");
    await writeManifest(dir, "web.yaml", deployment(2, "nginx:1.26"));
    await ok(["apply", "--server-side", "-f", f]);
    expect(await ok(["-n", "apps", "get", "deploy", "web", "-o", "jsonpath={.spec.template.spec.containers[0].image} {.metadata.generation}"])).toBe("nginx:1.26 2");

    // another manager takes .spec.replicas
    expect(await ok(["-n", "apps", "scale", "deploy/web", "--replicas=4"])).toContain("scaled");
    await writeManifest(dir, "web.yaml", deployment(3, "nginx:1.26"));
    const conflict = await k(["apply", "--server-side", "-f", f]);
    expect(conflict.code).not.toBe(0);
    expect(conflict.stderr).toContain('Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps/v1: .spec.replicas');
    expect(await ok(["-n", "apps", "get", "deploy", "web", "-o", "jsonpath={.spec.replicas}"])).toBe("4");

    await ok(["apply", "--server-side", "--force-conflicts", "-f", f]);
    const live = parse(await ok(["-n", "apps", "get", "deploy", "web", "-o", "yaml", "--show-managed-fields"]));
    expect(live.spec.replicas).toBe(3);
    const managers = live.metadata.managedFields.map((m: { manager: string; operation: string }) => `${m.manager}/${m.operation}`);
    expect(managers).toContain("kubectl/Apply");
    const applied = live.metadata.managedFields.find((m: { operation: string }) => m.operation === "Apply");
    expect(applied.fieldsV1["f:spec"]["f:replicas"]).toEqual({});
  });

  it("get -o yaml shows server-set metadata and defaults", async () => {
    const live = parse(await ok(["-n", "apps", "get", "deploy", "web", "-o", "yaml"]));
    expect(live.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(live.metadata.resourceVersion)).toBeGreaterThan(0);
    expect(live.metadata.creationTimestamp).toMatch(/Z$/);
    expect(live.spec.strategy.type).toBe("RollingUpdate");
    expect(live.spec.template.spec.containers[0].ports[0].protocol).toBe("TCP");
    expect(live.metadata.managedFields).toBeUndefined();
  });

  it("label, get -l with set-based selectors", async () => {
    await ok(["-n", "apps", "apply", "--server-side", "-f", "-"], "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c1, labels: {env: prod}}\ndata: {a: '1'}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c2, labels: {env: dev}}\n");
    await ok(["-n", "apps", "label", "cm", "c2", "team=core"]);
    const names = async (sel: string) => (await ok(["-n", "apps", "get", "cm", "-l", sel, "-o", "name"])).trim().split("\n").filter(Boolean).sort();
    expect(await names("env=prod")).toEqual(["configmap/c1"]);
    expect(await names("env!=prod")).toEqual(["configmap/c2"]);
    expect(await names("env in (dev,prod)")).toEqual(["configmap/c1", "configmap/c2"]);
    expect(await names("env notin (dev)")).toEqual(["configmap/c1"]);
    expect(await names("team")).toEqual(["configmap/c2"]);
    expect(await names("!team,env")).toEqual(["configmap/c1"]);
    expect(await ok(["-n", "apps", "get", "cm", "c1"])).toMatch(/c1\s+1\s+/);
  });

  it("diff reports changes with exit code 1 and none with 0", async () => {
    const f = await writeManifest(dir, "web.yaml", deployment(3, "nginx:1.26"));
    const same = await k(["diff", "--server-side", "--force-conflicts", "-f", f]);
    expect(same.code, same.stderr).toBe(0);
    await writeManifest(dir, "web.yaml", deployment(3, "nginx:1.27"));
    const changed = await k(["diff", "--server-side", "--force-conflicts", "-f", f]);
    expect(changed.code).toBe(1);
    expect(changed.stdout).toContain("+        image: nginx:1.27");
    const clientSide = await k(["diff", "-f", f]);
    expect(clientSide.code).toBe(1);
    expect(clientSide.stdout).toContain("nginx:1.27");
    expect(await ok(["-n", "apps", "get", "deploy", "web", "-o", "jsonpath={.spec.template.spec.containers[0].image}"])).toBe("nginx:1.26");
  });

  it("wait --for=condition=Available and rollout status", async () => {
    await ok(["-n", "apps", "wait", "--for=condition=Available", "deploy/web", "--timeout=20s"]);
    expect(await ok(["-n", "apps", "rollout", "status", "deploy/web", "--timeout=20s"])).toContain('deployment "web" successfully rolled out');
    const f = await writeManifest(dir, "bad.yaml", deployment(1, "nginx:broken", "bad"));
    await ok(["apply", "--server-side", "-f", f]);
    const r = await k(["-n", "apps", "rollout", "status", "deploy/bad", "--timeout=20s"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('deployment "bad" exceeded its progress deadline');
  });

  it("runs jobs to completion and statefulsets/daemonsets to ready", async () => {
    await ok(["-n", "apps", "apply", "--server-side", "-f", "-"], `
apiVersion: batch/v1
kind: Job
metadata: {name: once}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: main, image: busybox:1.36}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  replicas: 2
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: postgres:16}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: a, image: agent:1}]}
`);
    await ok(["-n", "apps", "wait", "--for=condition=Complete", "job/once", "--timeout=20s"]);
    expect(await ok(["-n", "apps", "rollout", "status", "sts/db", "--timeout=20s"])).toContain("partitioned roll out complete");
    expect(await ok(["-n", "apps", "rollout", "status", "ds/agent", "--timeout=20s"])).toContain('daemon set "agent" successfully rolled out');
  });

  it("delete removes objects and kubectl sees them gone", async () => {
    expect(await ok(["-n", "apps", "delete", "deploy", "bad"])).toContain('deployment.apps "bad" deleted');
    const r = await k(["-n", "apps", "get", "deploy", "bad"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Error from server (NotFound): deployments.apps "bad" not found');
    expect(await ok(["-n", "apps", "delete", "cm", "-l", "env"])).toContain('configmap "c1" deleted');
  });

  it("CRD create, then apply of a custom resource; strict field validation; CRD delete removes the kind", async () => {
    await ok(["apply", "--server-side", "-f", "-"], `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd]}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    additionalPrinterColumns: [{name: Size, type: integer, jsonPath: .spec.size}]
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, properties: {size: {type: integer}}}
          status: {type: object, x-kubernetes-preserve-unknown-fields: true}
`);
    await ok(["wait", "--for=condition=Established", "crd/widgets.example.com", "--timeout=10s"]);
    const cr = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1, namespace: apps}\nspec: {size: 3}\n";
    expect(await ok(["apply", "--server-side", "-f", "-"], cr)).toContain("widget.example.com/w1 serverside-applied");
    expect(await ok(["-n", "apps", "get", "wd"])).toMatch(/w1\s+3/);
    const bad = await k(["apply", "--server-side", "-f", "-"], cr.replace("size: 3", "size: 3, color: red"));
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('unknown field "spec.color"');
    await ok(["delete", "crd", "widgets.example.com"]);
    const gone = await k(["-n", "apps", "get", "widgets.example.com"]);
    expect(gone.code).not.toBe(0);
  });

  it("a namespace-scoped token is forbidden outside its namespaces", async () => {
    sim.addToken("scoped-token", { namespaces: ["apps"], user: "system:serviceaccount:apps:agent" });
    const kc = join(dir, "scoped");
    await sim.writeKubeconfig(kc, { token: "scoped-token" });
    const ks = kubectlRunner(kc, join(dir, "cache-scoped"));
    const inside = await ks(["-n", "apps", "get", "cm"]);
    expect(inside.code, inside.stderr).toBe(0);
    const outside = await ks(["-n", "default", "get", "cm"]);
    expect(outside.stderr).toContain('Error from server (Forbidden): configmaps is forbidden: User "system:serviceaccount:apps:agent" cannot list resource "configmaps" in API group "" in the namespace "default"');
    const cluster = await ks(["get", "ns"]);
    expect(cluster.stderr).toContain("at the cluster scope");
  });
});
