// The same flows through @kubernetes/client-node: server-side apply, list with selectors, watch, delete, errors.
import { ApiException, KubeConfig, KubernetesObjectApi, PatchStrategy, Watch, type KubernetesObject } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKubeSim, type KubeSim } from "./index.js";
import { eventually } from "./test-helpers.js";

const cm = (name: string, labels: Record<string, string>, data: Record<string, string> = {}): KubernetesObject & { data: Record<string, string> } =>
  ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "default", labels }, data });

async function apiError(p: Promise<unknown>): Promise<{ code: number; body: Record<string, any> }> {
  try { await p; } catch (e) {
    if (e instanceof ApiException) return { code: e.code, body: typeof e.body === "string" ? JSON.parse(e.body) : e.body };
    throw e;
  }
  throw new Error("expected an ApiException");
}

describe("@kubernetes/client-node against kube-sim", () => {
  let sim: KubeSim;
  let api: KubernetesObjectApi;
  let kc: KubeConfig;

  beforeAll(async () => {
    sim = await startKubeSim({ readyDelayMs: 50 });
    kc = new KubeConfig();
    kc.loadFromString(sim.kubeconfig());
    api = KubernetesObjectApi.makeApiClient(kc);
  });
  afterAll(() => sim?.close());

  it("server-side apply: create, update, conflict, force, removal of dropped fields", async () => {
    const created = await api.patch(cm("ssa", { app: "a" }, { one: "1", two: "2" }), undefined, undefined, "gitfleet", false, PatchStrategy.ServerSideApply);
    expect(created.metadata?.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(created.metadata?.uid).toBe(sim.store.get("v1", "ConfigMap", "ssa", "default")?.metadata.uid);
    expect(created.metadata?.managedFields?.[0]).toMatchObject({ manager: "gitfleet", operation: "Apply" });

    const updated = await api.patch(cm("ssa", { app: "a" }, { one: "1" }), undefined, undefined, "gitfleet", false, PatchStrategy.ServerSideApply) as ReturnType<typeof cm>;
    expect(updated.data).toEqual({ one: "1" });

    const err = await apiError(api.patch(cm("ssa", { app: "a" }, { one: "other" }), undefined, undefined, "intruder", false, PatchStrategy.ServerSideApply));
    expect(err.code).toBe(409);
    expect(err.body.reason).toBe("Conflict");
    expect(err.body.message).toBe('Apply failed with 1 conflict: conflict with "gitfleet": .data.one');
    expect(err.body.details.causes).toEqual([{ type: "FieldManagerConflict", message: 'conflict with "gitfleet"', field: ".data.one" }]);

    const forced = await api.patch(cm("ssa", {}, { one: "other" }), undefined, undefined, "intruder", true, PatchStrategy.ServerSideApply) as ReturnType<typeof cm>;
    expect(forced.data.one).toBe("other");
    const owners = forced.metadata?.managedFields?.map((m) => m.manager).sort();
    expect(owners).toEqual(["gitfleet", "intruder"]);

    const dry = await api.patch(cm("ssa", { app: "a" }, { three: "3" }), undefined, "All", "gitfleet", true, PatchStrategy.ServerSideApply) as ReturnType<typeof cm>;
    expect(dry.data.three).toBe("3");
    const live = await api.read<ReturnType<typeof cm>>({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "ssa", namespace: "default" } });
    expect(live.data.three).toBeUndefined();
  });

  it("update with a stale resourceVersion is a 409; unknown objects are 404 Status", async () => {
    const obj = await api.create(cm("stale", { app: "b" }, { a: "1" }));
    await api.replace({ ...obj, data: { a: "2" } });
    const err = await apiError(api.replace({ ...obj, data: { a: "3" } }));
    expect(err.code).toBe(409);
    expect(err.body.message).toBe('Operation cannot be fulfilled on configmaps "stale": the object has been modified; please apply your changes to the latest version and try again');
    const nf = await apiError(api.read({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "nope", namespace: "default" } }));
    expect(nf.code).toBe(404);
    expect(nf.body).toMatchObject({ kind: "Status", status: "Failure", reason: "NotFound", message: 'deployments.apps "nope" not found', details: { name: "nope", group: "apps", kind: "deployments" } });
    const dup = await apiError(api.create(cm("stale", {})));
    expect(dup.code).toBe(409);
    expect(dup.body.reason).toBe("AlreadyExists");
    const inv = await apiError(api.create(cm("Bad_Name", {})));
    expect(inv.code).toBe(422);
    expect(inv.body.reason).toBe("Invalid");
    expect(inv.body.message).toMatch(/^ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
  });

  it("lists with label and field selectors and paginates", async () => {
    for (let i = 0; i < 5; i++) await api.create(cm(`list-${i}`, { group: "list", idx: String(i), ...(i % 2 ? { odd: "yes" } : {}) }));
    const all = await api.list("v1", "ConfigMap", "default", undefined, undefined, undefined, undefined, "group=list");
    expect(all.items.map((x) => x.metadata?.name)).toEqual(["list-0", "list-1", "list-2", "list-3", "list-4"]);
    const odd = await api.list("v1", "ConfigMap", "default", undefined, undefined, undefined, undefined, "group=list,odd");
    expect(odd.items).toHaveLength(2);
    const notIn = await api.list("v1", "ConfigMap", "default", undefined, undefined, undefined, undefined, "group=list,idx notin (0,1),!odd");
    expect(notIn.items.map((x) => x.metadata?.name)).toEqual(["list-2", "list-4"]);
    const byName = await api.list("v1", "ConfigMap", "default", undefined, undefined, undefined, "metadata.name=list-3");
    expect(byName.items.map((x) => x.metadata?.name)).toEqual(["list-3"]);
    const page1 = await api.list("v1", "ConfigMap", "default", undefined, undefined, undefined, undefined, "group=list", 2);
    expect(page1.items).toHaveLength(2);
    // client-node's model calls the field _continue
    const token = page1.metadata?._continue;
    expect(token).toEqual(expect.stringMatching(/.+/));
    expect(page1.metadata?.remainingItemCount).toBe(3);
    const page2 = await api.list("v1", "ConfigMap", "default", undefined, undefined, undefined, undefined, "group=list", 2, token);
    expect(page2.items.map((x) => x.metadata?.name)).toEqual(["list-2", "list-3"]);
  });

  it("watches ADDED, MODIFIED, DELETED from a resourceVersion, with a label selector", async () => {
    const list = await api.list("v1", "ConfigMap", "default");
    const events: string[] = [];
    const w = new Watch(kc);
    const ctl = await w.watch("/api/v1/namespaces/default/configmaps",
      { resourceVersion: list.metadata?.resourceVersion, labelSelector: "watch=me", allowWatchBookmarks: true },
      (type, obj) => { if (type !== "BOOKMARK") events.push(`${type} ${obj.metadata.name} ${obj.data?.v ?? ""}`); },
      () => undefined);
    try {
      await api.create(cm("w1", { watch: "me" }, { v: "1" }));
      await api.create(cm("ignored", { watch: "no" }));
      await api.patch({ ...cm("w1", { watch: "me" }, { v: "2" }) }, undefined, undefined, "gitfleet", true, PatchStrategy.ServerSideApply);
      await api.delete(cm("w1", {}));
      await eventually(() => events.length >= 3, 3000, "watch events");
      expect(events).toEqual(["ADDED w1 1", "MODIFIED w1 2", "DELETED w1 2"]);
    } finally {
      ctl.abort();
    }
  });

  it("delete honours finalizers and propagationPolicy", async () => {
    const owner = await api.create(cm("owner", {}));
    const dep = cm("dependent", {});
    dep.metadata!.ownerReferences = [{ apiVersion: "v1", kind: "ConfigMap", name: "owner", uid: owner.metadata!.uid! }];
    await api.create(dep);
    const fin = cm("fin", {});
    fin.metadata!.finalizers = ["example.com/hold"];
    await api.create(fin);

    await api.delete(cm("fin", {}));
    const held = await api.read<ReturnType<typeof cm>>({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "fin", namespace: "default" } });
    // Held by its finalizer: marked for deletion, as the store has it, and still there.
    const stored = sim.store.get("v1", "ConfigMap", "fin", "default");
    expect(stored?.metadata.deletionTimestamp).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(new Date(held.metadata!.deletionTimestamp!).getTime()).toBe(Date.parse(stored!.metadata.deletionTimestamp));
    await api.patch({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "fin", namespace: "default", finalizers: null } } as unknown as KubernetesObject,
      undefined, undefined, "test", undefined, PatchStrategy.MergePatch);
    expect(sim.store.get("v1", "ConfigMap", "fin", "default")).toBeUndefined();

    await api.delete(cm("owner", {}), undefined, undefined, undefined, undefined, "Background");
    await eventually(() => !sim.store.get("v1", "ConfigMap", "dependent", "default"), 3000, "garbage collection");
  });

  it("deployments become Available through client-node reads", async () => {
    const d = {
      apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "api", namespace: "default" },
      spec: { replicas: 2, selector: { matchLabels: { app: "api" } }, template: { metadata: { labels: { app: "api" } }, spec: { containers: [{ name: "api", image: "api:1" }] } } },
    };
    await api.patch(d, undefined, undefined, "gitfleet", false, PatchStrategy.ServerSideApply);
    const ready = await eventually(async () => {
      const live = await api.read<any>(d);
      return live.status?.conditions?.find((c: any) => c.type === "Available" && c.status === "True") && live;
    }, 3000, "Available");
    expect(ready.status).toMatchObject({ readyReplicas: 2, updatedReplicas: 2, availableReplicas: 2, observedGeneration: 1 });
  });
});
