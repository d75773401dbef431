// Conformance class 2: `kubectl apply --prune` and `diff --prune` with kubectl's default prune allow-list,
// which maps every kind on it (ReplicationController and PersistentVolume among them) before pruning anything.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubectlSim, writeManifest, type KubectlSim } from "../test-helpers.js";

const cm = (name: string) => `apiVersion: v1
kind: ConfigMap
metadata: {name: ${name}, namespace: default, labels: {app: pruned}}
data: {k: v}
`;
const rc = `apiVersion: v1
kind: ReplicationController
metadata: {name: legacy, namespace: default, labels: {app: pruned}}
spec:
  replicas: 1
  selector: {app: legacy}
  template:
    metadata: {labels: {app: legacy}}
    spec: {containers: [{name: main, image: nginx:1.25}]}
`;
const pv = `apiVersion: v1
kind: PersistentVolume
metadata: {name: data, labels: {app: pruned}}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  hostPath: {path: /tmp/data}
`;

describe("kubectl prune with the default allow-list", () => {
  let s: KubectlSim;
  beforeAll(async () => { s = await kubectlSim(); });
  afterAll(async () => { await s?.close(); });

  it("serves every kind on the default prune list", async () => {
    const res = await s.ok(["api-resources", "--no-headers", "-o", "name"]);
    for (const r of ["configmaps", "endpoints", "namespaces", "persistentvolumeclaims", "persistentvolumes", "pods",
      "replicationcontrollers", "secrets", "services", "cronjobs.batch", "jobs.batch", "ingresses.networking.k8s.io",
      "daemonsets.apps", "deployments.apps", "replicasets.apps", "statefulsets.apps"]) {
      expect(res.split("\n")).toContain(r);
    }
  });

  it("apply --prune removes labelled objects that left the file, ReplicationControllers and PersistentVolumes included", async () => {
    const f = await writeManifest(s.dir, "set.yaml", [cm("a"), cm("b"), rc, pv].join("---\n"));
    const first = await s.ok(["apply", "--prune", "-l", "app=pruned", "-f", f]);
    expect(first).toContain("replicationcontroller/legacy created");
    expect(first).toContain("persistentvolume/data created");
    expect(await s.ok(["get", "rc", "legacy", "-o", "jsonpath={.spec.replicas} {.spec.template.spec.restartPolicy}"])).toBe("1 Always");

    await writeManifest(s.dir, "set.yaml", cm("a"));
    const diff = await s.k(["diff", "--prune", "-l", "app=pruned", "-f", f]);
    expect(diff.code, diff.stderr).toBe(1);
    expect(diff.stdout).toMatch(/-\s+name: b/);
    expect(diff.stdout).toMatch(/-\s+name: legacy/);

    const second = await s.ok(["apply", "--prune", "-l", "app=pruned", "-f", f]);
    expect(second).toContain("configmap/a unchanged");
    expect(second).toContain("configmap/b pruned");
    expect(second).toContain("replicationcontroller/legacy pruned");
    expect(second).toContain("persistentvolume/data pruned");
    expect((await s.ok(["get", "cm", "-l", "app=pruned", "-o", "name"])).trim()).toBe("configmap/a");
  });
});
