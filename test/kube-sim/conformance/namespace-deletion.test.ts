// Conformance class 6: Namespace deletion is asynchronous. The Namespace turns Terminating at once, its content is
// removed afterwards by the namespace controller, objects with finalizers hold it, and so do its own finalizers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { eventually, kubectlSim, writeManifest, type KubectlSim } from "../test-helpers.js";

const file = (ns: string) => `apiVersion: v1
kind: Namespace
metadata: {name: ${ns}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: ${ns}}
data: {k: v}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ${ns}}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: main, image: nginx:1.25}]}
`;

describe("Namespace deletion", () => {
  let s: KubectlSim;
  beforeAll(async () => { s = await kubectlSim(); });
  afterAll(async () => { await s?.close(); });

  it("kubectl delete -f of a file with a Namespace followed by its objects succeeds", async () => {
    const f = await writeManifest(s.dir, "ns.yaml", file("shop"));
    await s.ok(["apply", "-f", f]);
    const r = await s.k(["delete", "-f", f]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('namespace "shop" deleted');
    expect(r.stdout).toContain('configmap "settings" deleted');
    expect(r.stdout).toContain('deployment.apps "web" deleted');
    expect((await s.k(["get", "ns", "shop"])).stderr).toContain('namespaces "shop" not found');
  });

  it("a finalizer on content keeps the Namespace Terminating, with conditions saying why, and refuses new content", async () => {
    await s.ok(["apply", "-f", "-"], "apiVersion: v1\nkind: Namespace\nmetadata: {name: held}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: pinned, namespace: held, finalizers: [example.com/hold]}\n");
    await s.ok(["delete", "ns", "held", "--wait=false"]);
    expect(await s.ok(["get", "ns", "held", "-o", "jsonpath={.status.phase}"])).toBe("Terminating");
    const ns = await eventually(async () => {
      const o = parse(await s.ok(["get", "ns", "held", "-o", "yaml"]));
      return o.status.conditions?.find((c: { type: string; status: string }) => c.type === "NamespaceFinalizersRemaining" && c.status === "True") && o;
    }, 10_000, "NamespaceFinalizersRemaining");
    const cond = (t: string) => ns.status.conditions.find((c: { type: string }) => c.type === t);
    expect(cond("NamespaceContentRemaining").message).toBe("Some resources are remaining: configmaps has 1 resource instances");
    expect(cond("NamespaceFinalizersRemaining").message).toBe("Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances");
    expect(ns.spec.finalizers).toEqual(["kubernetes"]);
    expect(await s.ok(["-n", "held", "get", "cm", "pinned", "-o", "jsonpath={.metadata.deletionTimestamp}"])).not.toBe("");

    const create = await s.k(["-n", "held", "create", "-f", "-"], "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: late}\n");
    expect(create.stderr).toContain('configmaps "late" is forbidden: unable to create new content in namespace held because it is being terminated');

    await s.ok(["-n", "held", "patch", "cm", "pinned", "--type=merge", "-p", '{"metadata":{"finalizers":null}}']);
    await s.ok(["wait", "--for=delete", "ns/held", "--timeout=20s"]);
  });

  it("the Namespace's own finalizer holds it after its content is gone", async () => {
    await s.ok(["apply", "-f", "-"], "apiVersion: v1\nkind: Namespace\nmetadata: {name: own, finalizers: [example.com/ns]}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: own}\n");
    await s.ok(["delete", "ns", "own", "--wait=false"]);
    await eventually(async () => (await s.k(["-n", "own", "get", "cm", "c"])).code !== 0, 10_000, "content removed");
    await eventually(async () => (await s.ok(["get", "ns", "own", "-o", "jsonpath={.spec.finalizers}"])) === "", 10_000, "spec.finalizers emptied");
    expect(await s.ok(["get", "ns", "own", "-o", "jsonpath={.status.phase}"])).toBe("Terminating");
    await s.ok(["patch", "ns", "own", "--type=merge", "-p", '{"metadata":{"finalizers":null}}']);
    await s.ok(["wait", "--for=delete", "ns/own", "--timeout=20s"]);
  });

  it("PUT /finalize empties spec.finalizers and ends the Namespace once nothing else holds it", async () => {
    await s.ok(["apply", "-f", "-"], "apiVersion: v1\nkind: Namespace\nmetadata: {name: forced}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: stuck, namespace: forced, finalizers: [example.com/hold]}\n");
    await s.ok(["delete", "ns", "forced", "--wait=false"]);
    const ns = JSON.parse(await s.ok(["get", "ns", "forced", "-o", "json"]));
    ns.spec.finalizers = [];
    delete ns.metadata.resourceVersion; // the namespace controller may have written conditions since
    await s.ok(["replace", "--raw", "/api/v1/namespaces/forced/finalize", "-f", "-"], JSON.stringify(ns));
    await s.ok(["wait", "--for=delete", "ns/forced", "--timeout=20s"]);
  });
});
