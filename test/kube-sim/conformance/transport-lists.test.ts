// Conformance class 7: HTTPS with a CA in the kubeconfig, so kubectl sends its token in the Authorization header
// (`kubectl get --raw` works), and chunked or Exact lists that are consistent snapshots at one resourceVersion.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { kubectlRunner, kubectlSim, type KubectlSim } from "../test-helpers.js";

const cms = (names: string[]) => names.map((n) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${n}, namespace: default, labels: {set: snap}}\ndata: {v: "1"}\n`).join("---\n");

describe("https, --raw and consistent lists", () => {
  let s: KubectlSim;
  const raw = async (path: string) => JSON.parse(await s.ok(["get", "--raw", path]));
  beforeAll(async () => { s = await kubectlSim({ watchHistory: 50 }); });
  afterAll(async () => { await s?.close(); });

  it("writes a kubeconfig with an https server and its CA, and no token in the URL", () => {
    const cluster = parse(s.sim.kubeconfig()).clusters[0].cluster;
    expect(cluster.server).toBe(s.sim.url);
    expect(cluster.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(Buffer.from(cluster["certificate-authority-data"], "base64").toString()).toContain("BEGIN CERTIFICATE");
    expect(cluster["insecure-skip-tls-verify"]).toBeUndefined();
  });

  it("kubectl get --raw authenticates with the bearer token", async () => {
    expect((await raw("/api/v1/namespaces/default")).metadata.name).toBe("default");
    s.sim.addToken("raw-scoped", { namespaces: ["default"], user: "scoped" });
    await s.sim.writeKubeconfig(join(s.dir, "scoped"), { token: "raw-scoped" });
    const scoped = kubectlRunner(join(s.dir, "scoped"), join(s.dir, "cache-scoped"));
    expect((await scoped(["get", "--raw", "/api/v1/namespaces/default/configmaps"])).code).toBe(0);
    expect((await scoped(["get", "--raw", "/api/v1/namespaces/kube-system/configmaps"])).stderr)
      .toContain('configmaps is forbidden: User "scoped" cannot list resource "configmaps" in API group "" in the namespace "kube-system"');
  });

  it("kubectl verifies the server certificate against the kubeconfig's CA", async () => {
    const kc = parse(s.sim.kubeconfig());
    delete kc.clusters[0].cluster["certificate-authority-data"];
    await writeFile(join(s.dir, "no-ca"), stringify(kc));
    const r = await kubectlRunner(join(s.dir, "no-ca"), join(s.dir, "cache-no-ca"))(["get", "ns"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("certificate signed by unknown authority");
  });

  it("the pages of a chunked list come from one snapshot, whatever changes between them", async () => {
    await s.ok(["apply", "-f", "-"], cms(["a", "b", "c", "d"]));
    const first = await raw("/api/v1/namespaces/default/configmaps?labelSelector=set%3Dsnap&limit=2");
    expect(first.items.map((i: any) => i.metadata.name)).toEqual(["a", "b"]);
    await s.ok(["delete", "cm", "c"]);
    await s.ok(["apply", "-f", "-"], cms(["bb"]));
    await s.ok(["patch", "cm", "d", "-p", '{"data":{"v":"2"}}']);
    const rest = await raw(`/api/v1/namespaces/default/configmaps?labelSelector=set%3Dsnap&limit=2&continue=${first.metadata.continue}`);
    expect(rest.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
    expect(rest.items.map((i: any) => `${i.metadata.name}=${i.data.v}`)).toEqual(["c=1", "d=1"]);
    expect(rest.metadata.continue).toBeUndefined();

    const exact = await raw(`/api/v1/namespaces/default/configmaps?labelSelector=set%3Dsnap&resourceVersion=${first.metadata.resourceVersion}&resourceVersionMatch=Exact`);
    expect(exact.items.map((i: any) => i.metadata.name)).toEqual(["a", "b", "c", "d"]);
    expect((await raw("/api/v1/namespaces/default/configmaps?labelSelector=set%3Dsnap")).items.map((i: any) => i.metadata.name)).toEqual(["a", "b", "bb", "d"]);
  });

  it("a continue token older than the history kept is 410 Expired, with a fresh token", async () => {
    const first = await raw("/api/v1/namespaces/default/configmaps?labelSelector=set%3Dsnap&limit=1");
    for (let i = 0; i < 60; i++) s.sim.store.put({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "churn", namespace: "default" }, data: { i: String(i) } });
    const r = await s.k(["get", "--raw", `/api/v1/namespaces/default/configmaps?labelSelector=set%3Dsnap&limit=1&continue=${first.metadata.continue}`]);
    expect(r.stderr).toContain("Error from server (Expired): The provided continue parameter is too old to display a consistent list result.");
    const st = (await s.sim.request("GET", `/api/v1/namespaces/default/configmaps?labelSelector=set%3Dsnap&limit=1&continue=${first.metadata.continue}`)).json();
    expect([st.code, st.reason]).toEqual([410, "Expired"]);
    const resumed = await raw(`/api/v1/namespaces/default/configmaps?labelSelector=set%3Dsnap&limit=5&continue=${st.metadata.continue}`);
    expect(resumed.items.map((i: any) => i.metadata.name)).toEqual(["b", "bb", "d"]);
  });
});
