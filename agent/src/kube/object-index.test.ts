import { describe, expect, it } from "vitest";
import type { KubeObject } from "@gitfleet/shared";
import { createObjectIndex } from "./object-index.js";

const cm = (namespace: string | undefined, name: string, v = "1"): KubeObject => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, ...(namespace ? { namespace } : {}) }, data: { v } });
const names = (objs: KubeObject[]) => objs.map((o) => `${o.metadata.namespace ?? ""}/${o.metadata.name}`).sort();

describe("an informer's object index", () => {
  it("lists one namespace's objects from its own bucket, across sets, replacements and deletes", () => {
    const index = createObjectIndex();
    for (const o of [cm("a", "x"), cm("a", "y"), cm("b", "x"), cm(undefined, "cluster")]) index.set(o);
    index.set(cm("a", "x", "2"));
    expect(index.size).toBe(4);
    expect(names(index.inNamespace("a"))).toEqual(["a/x", "a/y"]);
    expect(index.get("a", "x")?.data).toEqual({ v: "2" });
    expect(index.get("b", "y")).toBeUndefined();
    expect(names(index.inNamespace(undefined))).toEqual(["/cluster"]);
    expect(names(index.inNamespace(""))).toEqual(["/cluster"]);

    index.delete(cm("a", "y"));
    index.delete(cm("a", "missing"));
    expect(index.size).toBe(3);
    expect(names(index.inNamespace("a"))).toEqual(["a/x"]);
    index.delete(cm("b", "x"));
    expect(index.inNamespace("b")).toEqual([]);
    expect(names([...index.values()])).toEqual(["/cluster", "a/x"]);

    index.clear();
    expect(index.size).toBe(0);
    expect([...index.values()]).toEqual([]);
  });

  it("a list of one namespace does not visit the others' objects", () => {
    const index = createObjectIndex();
    for (let i = 0; i < 1000; i++) index.set(cm(`ns-${i % 100}`, `o-${i}`));
    // Filtering every object of the kind would call this getter once per object in other namespaces too.
    let reads = 0;
    for (const o of index.values()) {
      const ns = o.metadata.namespace;
      Object.defineProperty(o.metadata, "namespace", { get: () => (reads++, ns), enumerable: true });
    }
    expect(index.inNamespace("ns-7")).toHaveLength(10);
    expect(reads).toBe(0);
  });
});
