// Conformance class 1: from client-side `kubectl apply` to `kubectl apply --server-side` (the upgrade path of the
// server-side apply docs). The "kubectl" manager takes over the fields kubectl-client-side-apply recorded in
// last-applied-configuration when they still hold that value, and its applies keep the annotation current.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { kubectlSim, simRequest, writeManifest, type KubectlSim } from "../test-helpers.js";

const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
const cm = (name: string, k: string) => `apiVersion: v1
kind: ConfigMap
metadata: {name: ${name}, namespace: default, labels: {team: a}}
data: {k: ${k}, j: x}
`;
type Managed = { manager: string; operation: string; fieldsV1: Record<string, any> };

describe("client-side to server-side apply", () => {
  let s: KubectlSim;
  const managed = async (name: string): Promise<Managed[]> =>
    parse(await s.ok(["get", "cm", name, "-o", "yaml", "--show-managed-fields"])).metadata.managedFields;
  beforeAll(async () => { s = await kubectlSim(); });
  afterAll(async () => { await s?.close(); });

  it("apply --server-side after a client-side apply takes the fields over without --force-conflicts", async () => {
    const f = await writeManifest(s.dir, "up.yaml", cm("up", "v1"));
    await s.ok(["apply", "-f", f]);
    expect((await managed("up")).map((m) => m.manager)).toEqual(["kubectl-client-side-apply"]);

    await writeManifest(s.dir, "up.yaml", cm("up", "v2"));
    expect(await s.ok(["apply", "--server-side", "-f", f])).toContain("configmap/up serverside-applied");
    expect(await s.ok(["get", "cm", "up", "-o", "jsonpath={.data.k}"])).toBe("v2");
    const mf = await managed("up");
    expect(mf.map((m) => m.manager)).not.toContain("kubectl-client-side-apply");
    const mine = mf.find((m) => m.manager === "kubectl" && m.operation === "Apply")!;
    expect(Object.keys(mine.fieldsV1["f:data"])).toEqual(["f:j", "f:k"]);
    expect(parse(await s.ok(["apply", "view-last-applied", "cm", "up"])).data).toEqual({ k: "v2", j: "x" });
  });

  it("a field changed by someone else since the client-side apply still conflicts, naming that manager", async () => {
    const f = await writeManifest(s.dir, "edited.yaml", cm("edited", "v1"));
    await s.ok(["apply", "-f", f]);
    await s.ok(["patch", "cm", "edited", "-p", '{"data":{"k":"hand"}}']);
    await writeManifest(s.dir, "edited.yaml", cm("edited", "v2"));
    const r = await s.k(["apply", "--server-side", "-f", f]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Apply failed with 1 conflict: conflict with "kubectl-patch" using v1: .data.k');
    expect(await s.ok(["get", "cm", "edited", "-o", "jsonpath={.data.k}"])).toBe("hand");
  });

  it("the server rewrites last-applied-configuration on applies by the kubectl manager only", async () => {
    await s.ok(["apply", "-f", "-"], cm("srv", "v1"));
    const ssa = (manager: string, k: string) => simRequest(s.sim, "PATCH", `/api/v1/namespaces/default/configmaps/srv?fieldManager=${manager}&force=true`,
      JSON.stringify(parse(cm("srv", k))), { "Content-Type": "application/apply-patch+yaml" });
    const byOther = (await ssa("other", "v3")).json();
    expect(JSON.parse(byOther.metadata.annotations[LAST_APPLIED]).data.k).toBe("v1");
    const byKubectl = (await ssa("kubectl", "v4")).json();
    expect(byKubectl.metadata.annotations[LAST_APPLIED])
      .toBe('{"apiVersion":"v1","data":{"j":"x","k":"v4"},"kind":"ConfigMap","metadata":{"labels":{"team":"a"},"name":"srv","namespace":"default"}}\n');
  });

  it("an object never client-side applied gets no annotation", async () => {
    await s.ok(["apply", "--server-side", "-f", "-"], cm("plain", "v1"));
    expect(await s.ok(["get", "cm", "plain", "-o", `jsonpath={.metadata.annotations}`])).toBe("");
  });
});
