// Direct in-memory access for tests: read and write objects without HTTP (writes still feed watches and controllers).
import type { Cluster } from "./cluster.js";
import { splitApiVersion } from "./kinds.js";
import type { StoreEvent } from "./store.js";
import { clone, type KObj } from "./util.js";

export interface SimStore {
  get(apiVersion: string, kind: string, name: string, namespace?: string): KObj | undefined;
  list(apiVersion: string, kind: string, namespace?: string): KObj[];
  /** create or replace (no resourceVersion check); status given is kept */
  put(obj: KObj): KObj;
  delete(apiVersion: string, kind: string, name: string, namespace?: string): boolean;
  setStatus(apiVersion: string, kind: string, name: string, namespace: string | undefined, status: KObj): KObj | undefined;
  /** the cluster's current resourceVersion */
  readonly resourceVersion: string;
  /** change feed; returns an unsubscribe function */
  onChange(fn: (e: { type: StoreEvent["type"]; object: KObj }) => void): () => void;
}

export function createSimStore(c: Cluster): SimStore {
  const nsOf = (rtNamespaced: boolean, ns?: string) => (rtNamespaced ? ns ?? "default" : undefined);
  return {
    get(apiVersion, kind, name, namespace) {
      const rt = c.rt(apiVersion, kind);
      const o = c.store.get(rt, nsOf(rt.namespaced, namespace), name);
      return o && clone(c.present(rt, o));
    },
    list(apiVersion, kind, namespace) {
      const rt = c.rt(apiVersion, kind);
      return c.store.list(rt, rt.namespaced ? namespace : undefined).map((o) => clone(c.present(rt, o)));
    },
    put(obj) {
      const rt = c.rt(obj.apiVersion, obj.kind);
      const ns = nsOf(rt.namespaced, obj.metadata?.namespace);
      const body = clone(obj);
      if (body.metadata) delete body.metadata.resourceVersion;
      const exists = c.store.get(rt, ns, obj.metadata?.name);
      let out = exists ? c.update(rt, ns, obj.metadata.name, body, { manager: "kube-sim" }) : c.create(rt, ns, body, { manager: "kube-sim" });
      if (obj.status !== undefined && rt.status) {
        c.putStatus(rt, out, clone(obj.status));
        out = c.store.get(rt, ns, out.metadata.name)!;
      }
      return clone(out);
    },
    delete(apiVersion, kind, name, namespace) {
      const rt = c.rt(apiVersion, kind);
      try { c.delete(rt, nsOf(rt.namespaced, namespace), name); return true; } catch { return false; }
    },
    setStatus(apiVersion, kind, name, namespace, status) {
      const rt = c.rt(apiVersion, kind);
      const o = c.store.get(rt, nsOf(rt.namespaced, namespace), name);
      if (!o) return undefined;
      c.putStatus(rt, o, clone(status));
      return clone(c.store.get(rt, nsOf(rt.namespaced, namespace), name));
    },
    get resourceVersion() { return String(c.store.rv); },
    onChange(fn) {
      return c.store.subscribe((e) => fn({ type: e.type, object: e.object }));
    },
  };
}
export { splitApiVersion };
