// Library behaviour over raw HTTP: patch types, SSA pruning, watch semantics, faults, auth, snapshots, many instances.
import { readFile } from "node:fs/promises";
import type { IncomingHttpHeaders } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKubeSim, type KubeSim } from "./index.js";
import { eventually, tempDir } from "./test-helpers.js";

type Res = { status: number; body: any; headers: IncomingHttpHeaders };

function client(sim: KubeSim, token = sim.token) {
  return async (method: string, path: string, body?: unknown, contentType = "application/json"): Promise<Res> => {
    const r = await sim.request(method, path, {
      token, headers: { "Content-Type": contentType, Connection: "close" },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = r.body.toString("utf8");
    let parsed: unknown = text;
    try { parsed = JSON.parse(text); } catch { /* text */ }
    return { status: r.status, body: parsed, headers: r.headers };
  };
}

/** reads a watch stream until `n` events arrived or the stream ends */
async function watchEvents(sim: KubeSim, path: string, n: number, act?: () => Promise<void>, timeoutMs = 3000): Promise<Array<{ type: string; object: any }>> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  const r = await fetch(sim.url + path, { headers: { Authorization: `Bearer ${sim.token}` }, signal: ac.signal });
  const out: Array<{ type: string; object: any }> = [];
  const reader = r.body!.getReader();
  let buf = "";
  const pending = act?.();
  try {
    while (out.length < n) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += new TextDecoder().decode(value);
      let i: number;
      while ((i = buf.indexOf("\n")) >= 0) { out.push(JSON.parse(buf.slice(0, i))); buf = buf.slice(i + 1); }
    }
  } catch (e) {
    if (!ac.signal.aborted) throw e;
  } finally {
    clearTimeout(timer);
    ac.abort();
    await pending;
  }
  return out;
}

const dep = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace: "default" },
  spec: {
    replicas: 1, selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "app", image: "app:1", env: [{ name: "A", value: "1" }, { name: "B", value: "2" }] }] } },
    ...extra,
  },
});

describe("kube-sim library", () => {
  let sim: KubeSim;
  let req: ReturnType<typeof client>;
  beforeAll(async () => {
    // the library's logic over plain http (fetch has no per-request CA); https is covered by the conformance suites
    sim = await startKubeSim({ readyDelayMs: 30, bookmarkIntervalMs: 50, tls: false });
    req = client(sim);
  });
  afterAll(() => sim?.close());

  it("strategic merge patch merges containers and env by name; JSON patch and merge patch work", async () => {
    expect((await req("POST", "/apis/apps/v1/namespaces/default/deployments", dep("smp"))).status).toBe(201);
    const smp = await req("PATCH", "/apis/apps/v1/namespaces/default/deployments/smp",
      { spec: { template: { spec: { containers: [{ name: "app", env: [{ name: "B", value: "3" }, { name: "C", value: "4" }] }] } } } },
      "application/strategic-merge-patch+json");
    expect(smp.status).toBe(200);
    expect(smp.body.spec.template.spec.containers[0].image).toBe("app:1");
    expect(smp.body.spec.template.spec.containers[0].env).toEqual([{ name: "A", value: "1" }, { name: "B", value: "3" }, { name: "C", value: "4" }]);
    expect(smp.body.metadata.generation).toBe(2);
    const del = await req("PATCH", "/apis/apps/v1/namespaces/default/deployments/smp",
      { spec: { template: { spec: { containers: [{ name: "app", env: [{ name: "A", $patch: "delete" }] }] } } } }, "application/strategic-merge-patch+json");
    expect(del.body.spec.template.spec.containers[0].env.map((e: any) => e.name)).toEqual(["B", "C"]);
    const jp = await req("PATCH", "/apis/apps/v1/namespaces/default/deployments/smp",
      [{ op: "replace", path: "/spec/replicas", value: 3 }, { op: "add", path: "/metadata/labels", value: { x: "y" } }], "application/json-patch+json");
    expect(jp.body.spec.replicas).toBe(3);
    const mp = await req("PATCH", "/apis/apps/v1/namespaces/default/deployments/smp", { metadata: { labels: { x: null, z: "1" } } }, "application/merge-patch+json");
    expect(mp.body.metadata.labels).toEqual({ z: "1" });
    const labelsOnly = mp.body.metadata.generation;
    expect(labelsOnly).toBe(jp.body.metadata.generation);
    const failedTest = await req("PATCH", "/apis/apps/v1/namespaces/default/deployments/smp", [{ op: "test", path: "/spec/replicas", value: 9 }], "application/json-patch+json");
    expect(failedTest.status).toBe(422);
  });

  it("server-side apply removes fields a manager stops applying, keeps fields others own", async () => {
    const apply = (obj: unknown, manager: string, force = false) =>
      req("PATCH", `/apis/apps/v1/namespaces/default/deployments/pruned?fieldManager=${manager}&force=${force}`, obj, "application/apply-patch+yaml");
    const full = dep("pruned");
    (full.metadata as any).labels = { keep: "1", drop: "1" };
    expect((await apply(full, "mgr-a")).status).toBe(201);
    const other = await req("PATCH", "/apis/apps/v1/namespaces/default/deployments/pruned?fieldManager=mgr-b",
      { metadata: { annotations: { owned: "by-b" } } }, "application/merge-patch+json");
    expect(other.status).toBe(200);
    const less = dep("pruned");
    (less.metadata as any).labels = { keep: "1" };
    (less.spec.template.spec.containers[0] as any).env = [{ name: "A", value: "1" }];
    const r = await apply(less, "mgr-a");
    expect(r.body.metadata.labels).toEqual({ keep: "1" });
    expect(r.body.metadata.annotations.owned).toBe("by-b");
    expect(r.body.spec.template.spec.containers[0].env).toEqual([{ name: "A", value: "1" }]);
    const dry = await req("PATCH", "/apis/apps/v1/namespaces/default/deployments/pruned?fieldManager=mgr-a&dryRun=All", { ...less, spec: { ...less.spec, replicas: 5 } }, "application/apply-patch+yaml");
    expect(dry.body.spec.replicas).toBe(5);
    expect((await req("GET", "/apis/apps/v1/namespaces/default/deployments/pruned")).body.spec.replicas).toBe(1);
    const noMgr = await req("PATCH", "/apis/apps/v1/namespaces/default/deployments/pruned", less, "application/apply-patch+yaml");
    expect(noMgr.status).toBe(422);
  });

  it("server-side apply keeps metadata when the manager owns nothing under it", async () => {
    const apply = (data: Record<string, string>) => req("PATCH", "/api/v1/namespaces/default/configmaps/bare?fieldManager=m",
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "bare" }, data }, "application/apply-patch+yaml");
    expect((await apply({ a: "1", b: "2" })).status).toBe(201);
    const r = await apply({ a: "2" });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect([r.body.metadata.name, r.body.data]).toEqual(["bare", { a: "2" }]);
  });

  it("server-side apply refuses duplicate fields with fieldValidation=Strict, in JSON and YAML bodies, and warns otherwise", async () => {
    const path = (name: string, validation?: string) => `/api/v1/namespaces/default/configmaps/${name}?fieldManager=m${validation ? `&fieldValidation=${validation}` : ""}`;
    const json = (name: string) => `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${name}"},\n"data":{"a":"1","b":"2","a":"3"}}`;
    const yaml = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  a: "1"\n  "a": "3"\n`;
    const strictJson = await req("PATCH", path("dup-json", "Strict"), json("dup-json"), "application/apply-patch+yaml");
    expect([strictJson.status, strictJson.body.reason, strictJson.body.message]).toEqual([400, "BadRequest",
      'error strict decoding patch: error converting YAML to JSON: yaml: unmarshal errors:\n  line 2: key "a" already set in map']);
    const strictYaml = await req("PATCH", path("dup-yaml", "Strict"), yaml("dup-yaml"), "application/apply-patch+yaml");
    expect([strictYaml.status, strictYaml.body.message]).toEqual([400,
      'error strict decoding patch: error converting YAML to JSON: yaml: unmarshal errors:\n  line 7: key "a" already set in map']);
    expect((await req("GET", path("dup-json"))).status).toBe(404);
    // Without Strict (the server's default is Warn) the last value wins, with a warning.
    const warned = await req("PATCH", path("dup-json"), json("dup-json"), "application/apply-patch+yaml");
    expect([warned.status, warned.body.data, warned.headers.warning]).toEqual([201, { a: "3", b: "2" }, '299 - "line 2: key \\"a\\" already set in map"']);
    const ignored = await req("PATCH", path("dup-yaml", "Ignore"), yaml("dup-yaml"), "application/apply-patch+yaml");
    expect([ignored.status, ignored.body.data, ignored.headers.warning]).toEqual([201, { a: "3" }, undefined]);
    // The same key in different objects, or as a value, is no duplicate.
    const fine = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dup-none","labels":{"name":"x"}},"data":{"name":"a","k":"name"}}`;
    expect((await req("PATCH", path("dup-none", "Strict"), fine, "application/apply-patch+yaml")).status).toBe(201);
  });

  it("dryRun=All on create, update and delete changes nothing", async () => {
    const c = await req("POST", "/api/v1/namespaces/default/configmaps?dryRun=All", { metadata: { name: "dry" } });
    expect(c.status).toBe(201);
    expect(sim.store.get("v1", "ConfigMap", "dry")).toBeUndefined();
    sim.store.put({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "dry", namespace: "default" }, data: { a: "1" } });
    const u = await req("PUT", "/api/v1/namespaces/default/configmaps/dry?dryRun=All", { metadata: { name: "dry" }, data: { a: "2" } });
    expect(u.body.data.a).toBe("2");
    expect(sim.store.get("v1", "ConfigMap", "dry")?.data.a).toBe("1");
    expect((await req("DELETE", "/api/v1/namespaces/default/configmaps/dry?dryRun=All")).status).toBe(200);
    expect(sim.store.get("v1", "ConfigMap", "dry")?.data).toEqual({ a: "1" });
  });

  it("generation bumps on spec changes only", async () => {
    sim.store.put(dep("gen"));
    const label = await req("PATCH", "/apis/apps/v1/namespaces/default/deployments/gen", { metadata: { labels: { a: "b" } } }, "application/merge-patch+json");
    expect(label.body.metadata.generation).toBe(1);
    const spec = await req("PATCH", "/apis/apps/v1/namespaces/default/deployments/gen", { spec: { replicas: 2 } }, "application/merge-patch+json");
    expect(spec.body.metadata.generation).toBe(2);
  });

  it("watch: initial events, resume from resourceVersion, 410 when too old, bookmarks", async () => {
    sim.store.put({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "wa", namespace: "default", labels: { w: "1" } } });
    const initial = await watchEvents(sim, "/api/v1/namespaces/default/configmaps?watch=true&labelSelector=w%3D1", 1);
    expect(initial.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(["ADDED wa"]);
    const rv = sim.store.resourceVersion;
    sim.store.put({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "wa", namespace: "default", labels: { w: "1" } }, data: { x: "1" } });
    sim.store.delete("v1", "ConfigMap", "wa");
    const resumed = await watchEvents(sim, `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}&labelSelector=w%3D1`, 2);
    expect(resumed.map((e) => e.type)).toEqual(["MODIFIED", "DELETED"]);
    const small = await startKubeSim({ watchHistory: 3, tls: false });
    try {
      const old = await watchEvents(small, "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=1", 1);
      expect(old[0]).toMatchObject({ type: "ERROR", object: { code: 410, reason: "Expired" } });
    } finally {
      await small.close();
    }
    const bm = await watchEvents(sim, `/api/v1/namespaces/default/configmaps?watch=true&allowWatchBookmarks=true&resourceVersion=${sim.store.resourceVersion}`, 1);
    expect(bm[0]).toMatchObject({ type: "BOOKMARK", object: { kind: "ConfigMap", metadata: { resourceVersion: expect.any(String) } } });
    const se = await watchEvents(sim, "/api/v1/namespaces/kube-system/serviceaccounts?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan", 2);
    expect(se.map((e) => e.type)).toEqual(["ADDED", "BOOKMARK"]);
    expect(se[1]!.object.metadata.annotations["k8s.io/initial-events-end"]).toBe("true");
  });

  it("fault injection: errors, latency, dropped connections, watches that end early", async () => {
    const id = sim.faults.add({ path: "/api/v1/namespaces/default/configmaps", errorRate: 1, errorStatus: 429, times: 1 });
    const r429 = await req("GET", "/api/v1/namespaces/default/configmaps");
    expect(r429.status).toBe(429);
    expect(r429.headers["retry-after"]).toBe("1");
    expect(r429.body.reason).toBe("TooManyRequests");
    expect((await req("GET", "/api/v1/namespaces/default/configmaps")).status).toBe(200);
    expect(sim.faults.list().some((f) => f.id === id)).toBe(false);

    sim.faults.setGlobal({ errorRate: 1, errorStatus: 503 });
    expect((await req("GET", "/api/v1/namespaces")).status).toBe(503);
    sim.faults.setGlobal(undefined);

    // Latency holds the response: a request sent after the delayed one is answered first.
    sim.faults.add({ path: /\/secrets$/, latencyMs: 2_000, times: 1 });
    const answered: string[] = [];
    const delayed = req("GET", "/api/v1/namespaces/default/secrets").then((r) => answered.push(`secrets ${r.status}`));
    answered.push(`configmaps ${(await req("GET", "/api/v1/namespaces/default/configmaps")).status}`);
    await delayed;
    expect(answered).toEqual(["configmaps 200", "secrets 200"]);

    sim.faults.add({ path: "/api/v1/namespaces/default/services", dropRate: 1, times: 1 });
    await expect(req("GET", "/api/v1/namespaces/default/services")).rejects.toThrow();

    // The body completes only when the server ends the watch: an unending watch fails on the test's deadline.
    sim.faults.add({ watch: true, watchEndAfterMs: 100, times: 1 });
    const watch = await fetch(`${sim.url}/api/v1/namespaces/default/serviceaccounts?watch=true`, { headers: { Authorization: `Bearer ${sim.token}` } });
    expect((await watch.text()).trim().split("\n").map((l) => (JSON.parse(l) as { type: string }).type)).toEqual(["ADDED"]);
  });

  it("auth: missing or unknown tokens are 401; scoped tokens get RBAC-worded 403", async () => {
    const anon = await fetch(`${sim.url}/api/v1/namespaces`, { headers: { Connection: "close" } });
    expect(anon.status).toBe(401);
    expect(((await anon.json()) as { reason: string }).reason).toBe("Unauthorized");
    expect((await client(sim, "nope")("GET", "/api/v1/namespaces")).status).toBe(401);
    sim.addToken("t-team", { namespaces: ["team"], user: "team-bot" });
    sim.store.put({ apiVersion: "v1", kind: "Namespace", metadata: { name: "team" } });
    const scoped = client(sim, "t-team");
    expect((await scoped("POST", "/api/v1/namespaces/team/configmaps", { metadata: { name: "x" } })).status).toBe(201);
    const f = await scoped("DELETE", "/api/v1/namespaces/default/configmaps/x");
    expect(f.status).toBe(403);
    expect(f.body.message).toBe('configmaps "x" is forbidden: User "team-bot" cannot delete resource "configmaps" in API group "" in the namespace "default"');
    expect((await scoped("GET", "/api/v1/namespaces/team")).status).toBe(200);
    expect((await scoped("GET", "/apis/apps/v1")).status).toBe(200);
  });

  it("namespace deletion terminates and removes its content", async () => {
    sim.store.put({ apiVersion: "v1", kind: "Namespace", metadata: { name: "doomed" } });
    sim.store.put({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "doomed" } });
    sim.store.put({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "held", namespace: "doomed", finalizers: ["example.com/hold"] } });
    const d = await req("DELETE", "/api/v1/namespaces/doomed");
    expect(d.status).toBe(200);
    expect(d.body.status.phase).toBe("Terminating");
    const denied = await req("POST", "/api/v1/namespaces/doomed/configmaps", { metadata: { name: "late" } });
    expect(denied.status).toBe(403);
    expect(denied.body.message).toContain("because it is being terminated");
    await eventually(() => sim.store.get("v1", "ConfigMap", "held", "doomed")?.metadata.deletionTimestamp, 3000, "content deletion");
    sim.store.put({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "held", namespace: "doomed", finalizers: [] } });
    await eventually(() => !sim.store.get("v1", "Namespace", "doomed"), 3000, "namespace removal");
    expect(sim.store.list("v1", "ConfigMap", "doomed")).toEqual([]);
    expect((await req("POST", "/api/v1/namespaces/doomed/configmaps", { metadata: { name: "x" } })).body.message).toBe('namespaces "doomed" not found');
  });
});

describe("kube-sim instances", () => {
  it("snapshot round-trip keeps objects, CRD kinds and resourceVersions", async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const file = join(dir, "snap.json");
      const a = await startKubeSim({ snapshotFile: file });
      a.store.put({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "persisted", namespace: "default" }, data: { k: "v" } });
      a.store.put({
        apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", metadata: { name: "gadgets.example.com" },
        spec: { group: "example.com", scope: "Cluster", names: { plural: "gadgets", kind: "Gadget" }, versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } }] },
      });
      await eventually(() => { try { a.store.list("example.com/v1", "Gadget"); return true; } catch { return false; } }, 2000, "CRD established");
      a.store.put({ apiVersion: "example.com/v1", kind: "Gadget", metadata: { name: "g1" }, spec: { any: 1 } });
      const rv = a.store.resourceVersion;
      await a.close();
      expect(JSON.parse(await readFile(file, "utf8")).version).toBe(1);
      const b = await startKubeSim({ snapshotFile: file });
      try {
        expect(b.store.get("v1", "ConfigMap", "persisted")?.data).toEqual({ k: "v" });
        expect(b.store.get("example.com/v1", "Gadget", "g1")?.spec).toEqual({ any: 1 });
        expect(Number(b.store.resourceVersion)).toBeGreaterThanOrEqual(Number(rv));
      } finally {
        await b.close();
      }
    } finally {
      await cleanup();
    }
  });

  it("hosts 200 independent clusters in one process and closes them without leaking handles", async () => {
    const before = process.getActiveResourcesInfo().filter((r) => r === "TCPServerWrap" || r === "TCPSocketWrap" || r === "Timeout").length;
    const sims = await Promise.all(Array.from({ length: 200 }, (_, i) => startKubeSim({ name: `c${i}`, readyDelayMs: 20 })));
    expect(new Set(sims.map((s) => s.url)).size).toBe(200);
    await Promise.all(sims.map((s, i) => client(s)("POST", "/apis/apps/v1/namespaces/default/deployments", dep(`d${i}`))));
    await eventually(() => sims.every((s, i) => s.store.get("apps/v1", "Deployment", `d${i}`)?.status?.readyReplicas === 1), 10_000, "all ready");
    expect(sims[0]!.store.get("apps/v1", "Deployment", "d1")).toBeUndefined();
    await Promise.all(sims.map((s) => s.close()));
    await eventually(() => process.getActiveResourcesInfo().filter((r) => r === "TCPServerWrap" || r === "TCPSocketWrap" || r === "Timeout").length <= before, 3000, "handles released");
  });
});
