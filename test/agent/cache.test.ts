// The agent's informer cache against kube-sim: list once, watch, resume from the last
// resourceVersion after a watch ends, relist after 410 Gone; only labelled objects, stripped.
import { afterEach, describe, expect, it } from "vitest";
import type { KubeObject } from "@gitfleet/shared";
import { startKubeSim, type KubeSim } from "../kube-sim/index.js";
import { countKubeRequests } from "../bench/kube-requests.js";
import { eventually, kubeFor, uniq } from "./harness.js";

const requests: Record<string, number> = {};
countKubeRequests(requests);
const count = (key: string) => requests[key] ?? 0;

const labelled = (name: string, namespace: string, data: Record<string, string>): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace, labels: { "app.kubernetes.io/managed-by": "gitfleet" } },
  data,
});

describe("agent informer cache against kube-sim", () => {
  let sim: KubeSim | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
    for (const k of Object.keys(requests)) delete requests[k];
  });

  /** A cache whose first watch ends after 300 ms and whose second is held back 1.5 s: the window in which to change things. */
  async function cacheWithAGap(history?: number) {
    sim = await startKubeSim({ readyDelayMs: 50, ...(history ? { watchHistory: history } : {}) });
    const space = uniq("cache");
    // The agent lists and watches ConfigMaps across namespaces.
    const path = "/api/v1/configmaps";
    sim.store.put({ apiVersion: "v1", kind: "Namespace", metadata: { name: space } });
    sim.store.put(labelled("a", space, { v: "1" }));
    sim.store.put({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "foreign", namespace: space }, data: { v: "1" } });
    sim.faults.add({ path, watch: true, watchEndAfterMs: 300, times: 1 });
    const kube = kubeFor(sim);
    const events: string[] = [];
    kube.cache.subscribe((type, obj) => events.push(`${type} ${obj.metadata.name} ${JSON.stringify(obj.data)}`));
    const closed = () => kube.close();
    await kube.cache.ensure("v1", "ConfigMap", space);
    // An event shows the first watch is open (and its fault decided) before the second one's is added.
    sim.store.put(labelled("opened", space, {}));
    await eventually(() => events.some((e) => e.startsWith("ADDED opened")), "the first watch open");
    sim.faults.add({ path, watch: true, latencyMs: 1_500, times: 1 });
    // The second watch has been asked for and is held back: the first one is over.
    await eventually(() => count("WATCH configmaps") >= 2, "the watch ended and was asked for again", 10_000);
    return { kube, space, events, closed };
  }

  it("keeps only labelled objects, without managedFields, and resumes a watch from its resourceVersion", async () => {
    const { kube, space, events, closed } = await cacheWithAGap();
    try {
      expect(count("GET configmaps")).toBe(1);
      // Changed while no watch was open: the resumed watch replays it.
      sim!.store.put(labelled("a", space, { v: "2" }));
      sim!.store.put(labelled("b", space, { v: "1" }));
      await eventually(() => events.includes(`MODIFIED a {"v":"2"}`) && events.includes(`ADDED b {"v":"1"}`), "changes made between watches");
      expect(count("GET configmaps")).toBe(1);
      const a = await kube.cache.get({ apiVersion: "v1", kind: "ConfigMap", namespace: space, name: "a" });
      expect(a?.data).toEqual({ v: "2" });
      expect(a?.metadata.managedFields).toBeUndefined();
      expect(await kube.cache.get({ apiVersion: "v1", kind: "ConfigMap", namespace: space, name: "foreign" })).toBeUndefined();
      expect((await kube.cache.list("v1", "ConfigMap", space)).map((o) => o.metadata.name).sort()).toEqual(["a", "b", "opened"]);
      // Reads came from the cache: still one list, no GET of an object.
      expect(count("GET configmaps")).toBe(1);
    } finally {
      closed();
    }
  });

  it("lists again after 410 Gone and tells listeners what changed in between", async () => {
    const { kube, space, events, closed } = await cacheWithAGap(5);
    try {
      sim!.store.delete("v1", "ConfigMap", "a", space);
      // More changes than the server keeps: the resumed watch is answered 410 Gone.
      for (let i = 0; i < 8; i++) sim!.store.put(labelled("b", space, { v: String(i) }));
      await eventually(() => events.some((e) => e.startsWith("DELETED a ")), "a deleted");
      await eventually(() => events.includes(`ADDED b {"v":"7"}`), "b as the new list has it");
      expect(count("GET configmaps")).toBe(2);
      expect(await kube.cache.get({ apiVersion: "v1", kind: "ConfigMap", namespace: space, name: "a" })).toBeUndefined();
      expect((await kube.cache.get({ apiVersion: "v1", kind: "ConfigMap", namespace: space, name: "b" }))?.data).toEqual({ v: "7" });
      // Watching again from the new list: later changes arrive as events.
      sim!.store.put(labelled("b", space, { v: "8" }));
      await eventually(() => events.includes(`MODIFIED b {"v":"8"}`), "b changed after the relist");
    } finally {
      closed();
    }
  });

  it("lists and watches a kind once across namespaces; per namespace when limited to some, or denied the cluster-wide list", async () => {
    sim = await startKubeSim({ readyDelayMs: 50 });
    const [one, two] = [uniq("one"), uniq("two")];
    for (const space of [one, two]) {
      sim.store.put({ apiVersion: "v1", kind: "Namespace", metadata: { name: space } });
      sim.store.put(labelled("a", space, { in: space }));
    }
    const read = async (kube: ReturnType<typeof kubeFor>, space: string) => ((await kube.cache.get({ apiVersion: "v1", kind: "ConfigMap", namespace: space, name: "a" }))?.data as Record<string, string> | undefined)?.in;
    const kinds = (kube: ReturnType<typeof kubeFor>) => kube.cache.size().informers;

    const wide = kubeFor(sim);
    try {
      expect([await read(wide, one), await read(wide, two)]).toEqual([one, two]);
      expect((await wide.cache.list("v1", "ConfigMap", two)).map((o) => o.metadata.namespace)).toEqual([two]);
      expect([count("GET configmaps"), count("WATCH configmaps"), kinds(wide)]).toEqual([1, 1, 1]);
    } finally {
      wide.close();
    }

    const limited = kubeFor(sim, { namespaces: [one, two] });
    try {
      expect([await read(limited, one), await read(limited, two)]).toEqual([one, two]);
      expect(kinds(limited)).toBe(2);
    } finally {
      limited.close();
    }

    // A token for one namespace only: the cluster-wide list is refused (403), the namespace's is not.
    sim.addToken("scoped", { namespaces: [one] });
    const scoped = kubeFor(sim, { token: "scoped" });
    try {
      expect(await read(scoped, one)).toBe(one);
      expect(kinds(scoped)).toBe(1);
    } finally {
      scoped.close();
    }
  });

  it("an object the agent wrote is read back as written, before its watch event", async () => {
    sim = await startKubeSim({ readyDelayMs: 50 });
    const kube = kubeFor(sim);
    try {
      const space = uniq("write");
      sim.store.put({ apiVersion: "v1", kind: "Namespace", metadata: { name: space } });
      await kube.cache.ensure("v1", "ConfigMap", space);
      const written = await kube.apply(labelled(uniq("w"), space, { v: "1" }));
      const cached = await kube.cache.get({ apiVersion: "v1", kind: "ConfigMap", namespace: space, name: written.metadata.name });
      expect(cached?.metadata.resourceVersion).toBe(written.metadata.resourceVersion);
    } finally {
      kube.close();
    }
  });
});
