// Conformance class 5: kubectl's generator commands send protobuf bodies. kube-sim decodes them for the kinds
// kubectl's create generators make, and refuses other kinds with an actionable 415.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { decodeProtobufObject, ProtobufError } from "../protobuf.js";
import { intField, lenField, message } from "../protowire.js";
import { kubectlSim, type KubectlSim } from "../test-helpers.js";

describe("protobuf request bodies", () => {
  let s: KubectlSim;
  const get = async (args: string[]) => parse(await s.ok(["get", ...args, "-o", "yaml", "--show-managed-fields"]));
  beforeAll(async () => { s = await kubectlSim(); });
  afterAll(async () => { await s?.close(); });

  it("kubectl create namespace / configmap / secret / serviceaccount", async () => {
    expect(await s.ok(["create", "namespace", "gen"])).toBe("namespace/gen created\n");
    const ns = await get(["ns", "gen"]);
    expect(ns.metadata.labels).toEqual({ "kubernetes.io/metadata.name": "gen" });
    expect(ns.metadata.managedFields[0].manager).toBe("kubectl-create");

    await s.ok(["-n", "gen", "create", "configmap", "settings", "--from-literal=mode=blue", "--from-literal=empty="]);
    expect((await get(["-n", "gen", "cm", "settings"])).data).toEqual({ mode: "blue", empty: "" });

    await s.ok(["-n", "gen", "create", "secret", "generic", "creds", "--type=example.com/token", "--from-literal=token=s3cret"]);
    const secret = await get(["-n", "gen", "secret", "creds"]);
    expect([secret.type, Buffer.from(secret.data.token, "base64").toString()]).toEqual(["example.com/token", "s3cret"]);

    await s.ok(["-n", "gen", "create", "serviceaccount", "robot"]);
    expect((await get(["-n", "gen", "sa", "robot"])).metadata.name).toBe("robot");
  });

  it("kubectl create deployment / job / cronjob / service / role / rolebinding", async () => {
    await s.ok(["-n", "gen", "create", "deployment", "web", "--image=nginx:1.25", "--port=80", "--replicas=2"]);
    const d = await get(["-n", "gen", "deploy", "web"]);
    expect([d.spec.replicas, d.spec.selector, d.spec.template.metadata.labels]).toEqual([2, { matchLabels: { app: "web" } }, { app: "web" }]);
    expect(d.spec.template.spec.containers).toMatchObject([{ name: "nginx", image: "nginx:1.25", ports: [{ containerPort: 80, protocol: "TCP" }] }]);

    await s.ok(["-n", "gen", "create", "job", "once", "--image=busybox:1.36", "--", "echo", "hi"]);
    const job = (await get(["-n", "gen", "job", "once"])).spec.template.spec;
    expect([job.restartPolicy, job.containers[0].command]).toEqual(["Never", ["echo", "hi"]]);
    await s.ok(["-n", "gen", "create", "cronjob", "tick", "--image=busybox:1.36", "--schedule=*/5 * * * *", "--", "date"]);
    const cj = (await get(["-n", "gen", "cronjob", "tick"])).spec;
    expect([cj.schedule, cj.jobTemplate.spec.template.spec.restartPolicy]).toEqual(["*/5 * * * *", "OnFailure"]);

    await s.ok(["-n", "gen", "create", "service", "nodeport", "web", "--tcp=80:8080"]);
    const svc = (await get(["-n", "gen", "svc", "web"])).spec;
    expect([svc.type, svc.selector, svc.ports[0].port, svc.ports[0].targetPort, svc.ports[0].name]).toEqual(["NodePort", { app: "web" }, 80, 8080, "80-8080"]);

    await s.ok(["-n", "gen", "create", "role", "reader", "--verb=get,list", "--resource=pods,deployments.apps"]);
    expect((await get(["-n", "gen", "role", "reader"])).rules).toEqual([
      { verbs: ["get", "list"], apiGroups: [""], resources: ["pods"] },
      { verbs: ["get", "list"], apiGroups: ["apps"], resources: ["deployments"] },
    ]);
    await s.ok(["-n", "gen", "create", "rolebinding", "readers", "--role=reader", "--user=alice", "--serviceaccount=gen:robot"]);
    const rb = await get(["-n", "gen", "rolebinding", "readers"]);
    expect(rb.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "reader" });
    expect(rb.subjects).toEqual([
      { kind: "User", apiGroup: "rbac.authorization.k8s.io", name: "alice" },
      { kind: "ServiceAccount", name: "robot", namespace: "gen" },
    ]);
  });

  it("a kind it cannot decode is a 415 that says what to do instead", async () => {
    const r = await s.k(["-n", "gen", "create", "ingress", "web", "--rule=web.example/=web:80"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("kube-sim cannot decode this protobuf body");
    expect(r.stderr).toContain("not networking.k8s.io/v1/Ingress");
    expect(r.stderr).toContain("send it as JSON");
  });

  it("decodes ObjectMeta maps, lists and times, and refuses fields it does not know", () => {
    const meta = message(
      lenField(1, "c"), lenField(2, ""), lenField(3, "ns"),
      lenField(8, intField(1, Date.UTC(2026, 0, 1) / 1000)),
      lenField(11, message(lenField(1, "app"), lenField(2, "web"))),
      lenField(12, message(lenField(1, "note"), lenField(2, ""))),
      lenField(14, "example.com/a"), lenField(14, "example.com/b"),
    );
    const envelope = (raw: Buffer) => Buffer.concat([Buffer.from("k8s\0", "latin1"),
      lenField(1, message(lenField(1, "v1"), lenField(2, "ConfigMap"))), lenField(2, raw)]);
    expect(decodeProtobufObject(envelope(message(lenField(1, meta), lenField(2, message(lenField(1, "k"), lenField(2, "v"))))))).toEqual({
      apiVersion: "v1", kind: "ConfigMap",
      metadata: { name: "c", namespace: "ns", creationTimestamp: "2026-01-01T00:00:00Z", labels: { app: "web" }, annotations: { note: "" }, finalizers: ["example.com/a", "example.com/b"] },
      data: { k: "v" },
    });
    // ownerReferences (13) are not in the table: refused when set, skipped when gogo wrote them empty
    expect(() => decodeProtobufObject(envelope(message(lenField(1, message(lenField(13, lenField(1, "Deployment")))))))).toThrow(ProtobufError);
    expect(decodeProtobufObject(envelope(message(lenField(1, message(lenField(1, "c"), lenField(13, message(lenField(1, ""), intField(2, 0))))))))).toEqual({
      apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" },
    });
    expect(() => decodeProtobufObject(Buffer.from("{}"))).toThrow("missing the k8s protobuf envelope");
    let deep = message();
    for (let i = 0; i < 5000; i++) deep = lenField(1, deep);
    expect(() => decodeProtobufObject(envelope(message(lenField(1, message(lenField(13, deep))))))).toThrow(ProtobufError);
  });
});
