import type { KubeObject } from "@gitfleet/shared";

/**
 * An informer's objects by namespace and name, indexed by namespace too: a cluster-wide informer
 * holds every namespace's objects, and list(namespace) must cost what that namespace holds, not the
 * whole kind.
 */
export interface ObjectIndex {
  get(namespace: string | undefined, name: string): KubeObject | undefined;
  set(obj: KubeObject): void;
  delete(obj: KubeObject): void;
  /** Objects in one namespace ("" or undefined: cluster-scoped objects). */
  inNamespace(namespace: string | undefined): KubeObject[];
  values(): IterableIterator<KubeObject>;
  clear(): void;
  readonly size: number;
}

export function createObjectIndex(): ObjectIndex {
  const byNamespace = new Map<string, Map<string, KubeObject>>();
  let size = 0;
  return {
    get: (namespace, name) => byNamespace.get(namespace ?? "")?.get(name),
    set(obj) {
      const ns = obj.metadata.namespace ?? "";
      let names = byNamespace.get(ns);
      if (!names) byNamespace.set(ns, (names = new Map()));
      if (!names.has(obj.metadata.name)) size++;
      names.set(obj.metadata.name, obj);
    },
    delete(obj) {
      const ns = obj.metadata.namespace ?? "";
      const names = byNamespace.get(ns);
      if (!names?.delete(obj.metadata.name)) return;
      size--;
      // An emptied namespace is forgotten: namespaces come and go.
      if (names.size === 0) byNamespace.delete(ns);
    },
    inNamespace: (namespace) => [...(byNamespace.get(namespace ?? "")?.values() ?? [])],
    *values() {
      for (const names of byNamespace.values()) yield* names.values();
    },
    clear() {
      byNamespace.clear();
      size = 0;
    },
    get size() {
      return size;
    },
  };
}
