// Conformance class 3: /openapi/v2. kubectl's validation falls back to it for a kind missing from OpenAPI v3;
// a real cluster answers, so an unknown kind fails alone with `no matches for kind` and the rest of the file applies.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFields } from "../protowire.js";
import { kubectlSim, simRequest, writeManifest, type KubectlSim } from "../test-helpers.js";

const file = (group: string, cm: string) => `apiVersion: ${group}
kind: Gadget
metadata: {name: g, namespace: default}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: ${cm}, namespace: default}
data: {k: v}
`;

describe("kubectl with an unknown kind", () => {
  let s: KubectlSim;
  beforeAll(async () => { s = await kubectlSim(); });
  afterAll(async () => { await s?.close(); });

  it.each([
    ["apply", "example.com/v1", "unknown-group"],
    ["apply", "apps/v1", "unknown-kind"],
    ["apply --server-side", "example.com/v1", "ssa"],
    ["create", "example.com/v1", "create"],
  ])("%s of %s says `no matches for kind` and still creates the objects after it", async (verb, group, cm) => {
    const f = await writeManifest(s.dir, `${cm}.yaml`, file(group, cm));
    const r = await s.k([...verb.split(" "), "-f", f]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`no matches for kind "Gadget" in version "${group}"`);
    expect(r.stderr).toContain("ensure CRDs are installed first");
    expect(r.stderr).not.toContain("could not find the requested resource");
    expect(await s.ok(["get", "cm", cm, "-o", "jsonpath={.data.k}"])).toBe("v");
  });

  it("serves /openapi/v2 as a gnostic Document in protobuf, and as JSON", async () => {
    const pb = await simRequest(s.sim, "GET", "/openapi/v2", undefined, { Accept: "application/com.github.proto-openapi.spec.v2.v1.0+protobuf" });
    expect(pb.headers["content-type"]).toBe("application/com.github.proto-openapi.spec.v2.v1.0+protobuf");
    const fields = readFields(pb.body);
    expect(Buffer.from(fields.find((f) => f.no === 1)!.value as Uint8Array).toString()).toBe("2.0");
    expect((await simRequest(s.sim, "GET", "/openapi/v2")).json().swagger).toBe("2.0");
  });
});
