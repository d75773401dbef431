// Conformance class 4: immutable fields are refused with 422 worded as kube-apiserver words them, and the
// defaults the real server sets (volumes, probes, node ports) are there when clients read the object back.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { kubectlSim, type KubectlSim } from "../test-helpers.js";

const deployment = (app: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  selector: {matchLabels: {app: ${app}}}
  template:
    metadata: {labels: {app: ${app}}}
    spec:
      containers:
      - name: main
        image: nginx:1.25
        readinessProbe: {httpGet: {path: /, port: 80}}
        volumeMounts: [{name: scratch, mountPath: /tmp}, {name: cfg, mountPath: /etc/cfg}]
      volumes: [{name: scratch}, {name: cfg, configMap: {name: cfg}}]
`;

describe("validation and defaulting", () => {
  let s: KubectlSim;
  /** applies server-side and returns kubectl's stderr, expecting a failure */
  const refused = async (yaml: string) => {
    const r = await s.k(["apply", "--server-side", "--force-conflicts", "-f", "-"], yaml);
    expect(r.code, r.stdout).not.toBe(0);
    return r.stderr.trim();
  };
  beforeAll(async () => { s = await kubectlSim(); });
  afterAll(async () => { await s?.close(); });

  it("defaults a volume without a source to emptyDir, file modes, and probe timings", async () => {
    await s.ok(["apply", "--server-side", "-f", "-"], deployment("web"));
    const d = parse(await s.ok(["get", "deploy", "web", "-o", "yaml"]));
    const pod = d.spec.template.spec;
    expect(pod.volumes).toEqual([{ name: "scratch", emptyDir: {} }, { name: "cfg", configMap: { name: "cfg", defaultMode: 420 } }]);
    expect(pod.containers[0].readinessProbe).toEqual({
      httpGet: { path: "/", port: 80, scheme: "HTTP" }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3,
    });
  });

  it("refuses a changed Deployment selector", async () => {
    expect(await refused(deployment("other"))).toBe('The Deployment "web" is invalid: spec.selector: Invalid value: '
      + 'v1.LabelSelector{MatchLabels:map[string]string{"app":"other"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable');
  });

  it("keeps a Service's allocated clusterIP and node port across applies, and refuses a new clusterIP", async () => {
    const svc = (extra = "") => `apiVersion: v1\nkind: Service\nmetadata: {name: api, namespace: default}\nspec:\n  type: NodePort\n  selector: {app: api}\n  ports: [{port: 80}]\n${extra}`;
    await s.ok(["apply", "-f", "-"], svc());
    const before = parse(await s.ok(["get", "svc", "api", "-o", "yaml"]));
    expect(before.spec.ports[0].nodePort).toBeGreaterThanOrEqual(30000);
    expect(before.spec.externalTrafficPolicy).toBe("Cluster");
    await s.ok(["replace", "-f", "-"], svc());
    const after = parse(await s.ok(["get", "svc", "api", "-o", "yaml"]));
    expect([after.spec.clusterIP, after.spec.clusterIPs, after.spec.ports[0].nodePort]).toEqual([before.spec.clusterIP, before.spec.clusterIPs, before.spec.ports[0].nodePort]);
    expect(await refused(svc("  clusterIP: 10.96.200.200\n")))
      .toBe('The Service "api" is invalid: spec.clusterIPs[0]: Invalid value: []string{"10.96.200.200"}: may not change once set');
  });

  it("refuses changes to a Job's template and selector", async () => {
    const job = (image: string) => `apiVersion: batch/v1\nkind: Job\nmetadata: {name: once, namespace: default}\nspec:\n  template:\n    metadata: {labels: {run: once}}\n    spec:\n      restartPolicy: Never\n      containers: [{name: main, image: ${image}}]\n`;
    await s.ok(["apply", "--server-side", "-f", "-"], job("busybox:1.36"));
    expect(await refused(job("busybox:1.37"))).toMatch(/^The Job "once" is invalid: spec\.template: Invalid value: .*: field is immutable$/);
  });

  it("refuses StatefulSet spec changes outside the mutable fields", async () => {
    const sts = (service: string) => `apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db, namespace: default}\nspec:\n  serviceName: ${service}\n  selector: {matchLabels: {app: db}}\n  template:\n    metadata: {labels: {app: db}}\n    spec: {containers: [{name: db, image: postgres:16}]}\n`;
    await s.ok(["apply", "--server-side", "-f", "-"], sts("db"));
    expect(await refused(sts("db2"))).toBe('The StatefulSet "db" is invalid: spec: Forbidden: updates to statefulset spec for fields other than '
      + "'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden");
  });

  it("refuses changes to an immutable ConfigMap and to a Secret's type", async () => {
    await s.ok(["apply", "--server-side", "-f", "-"], "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: frozen, namespace: default}\nimmutable: true\ndata: {k: v}\n");
    expect(await refused("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: frozen, namespace: default}\nimmutable: true\ndata: {k: w}\n"))
      .toBe('The ConfigMap "frozen" is invalid: data: Forbidden: field is immutable when `immutable` is set');
    await s.ok(["apply", "--server-side", "-f", "-"], "apiVersion: v1\nkind: Secret\nmetadata: {name: tok, namespace: default}\ntype: Opaque\n");
    expect(await refused("apiVersion: v1\nkind: Secret\nmetadata: {name: tok, namespace: default}\ntype: example.com/token\n"))
      .toBe('The Secret "tok" is invalid: type: Invalid value: "example.com/token": field is immutable');
  });

  it("lets a Pod update change images only, and a PersistentVolumeClaim its storage request only", async () => {
    const pod = (image: string, extra = "") => `apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: default}\nspec:\n  containers: [{name: main, image: ${image}${extra}}]\n`;
    await s.ok(["apply", "--server-side", "-f", "-"], pod("nginx:1.25"));
    await s.ok(["apply", "--server-side", "-f", "-"], pod("nginx:1.26"));
    expect(await refused(pod("nginx:1.26", ", workingDir: /srv"))).toMatch(/^The Pod "p" is invalid: spec: Forbidden: pod updates may not change fields other than `spec\.containers\[\*\]\.image`,/);

    const pvc = (size: string, mode = "ReadWriteOnce") => `apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data, namespace: default}\nspec:\n  accessModes: [${mode}]\n  resources: {requests: {storage: ${size}}}\n`;
    await s.ok(["apply", "--server-side", "-f", "-"], pvc("1Gi"));
    await s.ok(["apply", "--server-side", "-f", "-"], pvc("2Gi"));
    expect(await refused(pvc("2Gi", "ReadWriteMany")))
      .toBe('The PersistentVolumeClaim "data" is invalid: spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims');
  });

  it("refuses a changed roleRef", async () => {
    const rb = (role: string) => `apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb, namespace: default}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: ${role}}\nsubjects: [{kind: ServiceAccount, name: default, namespace: default}]\n`;
    await s.ok(["apply", "--server-side", "-f", "-"], rb("a"));
    expect(await refused(rb("b"))).toBe('The RoleBinding "rb" is invalid: roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"Role", Name:"b"}: cannot change roleRef');
  });
});
