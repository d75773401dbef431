// In-memory object store: one resourceVersion counter per cluster, a bounded event history and a change feed for watches.
import { storageKey } from "./kinds.js";
import type { KObj } from "./util.js";

export type EventType = "ADDED" | "MODIFIED" | "DELETED";
/** prev: the object before a MODIFIED or DELETED event (so a list can be rebuilt as of an older revision) */
export interface StoreEvent { type: EventType; key: string; object: KObj; rv: number; prev?: KObj }
export type Listener = (e: StoreEvent) => void;

const objKey = (ns: string | undefined, name: string): string => `${ns ?? ""}/${name}`;

export class Store {
  rv = 1;
  private data = new Map<string, Map<string, KObj>>();
  private history: StoreEvent[] = [];
  private listeners = new Set<Listener>();
  constructor(private readonly historySize = 1000) {}

  get(rt: { group: string; plural: string }, ns: string | undefined, name: string): KObj | undefined {
    return this.data.get(storageKey(rt))?.get(objKey(ns, name));
  }

  /** objects sorted by namespace/name, as etcd keys sort */
  list(rt: { group: string; plural: string }, ns?: string): KObj[] {
    const m = this.data.get(storageKey(rt));
    if (!m) return [];
    const keys = [...m.keys()].filter((k) => ns === undefined || k.startsWith(`${ns}/`)).sort();
    return keys.map((k) => m.get(k)!);
  }

  listKeys(): string[] {
    return [...this.data.keys()];
  }

  listByKey(key: string): KObj[] {
    return [...(this.data.get(key)?.values() ?? [])];
  }

  /** stores obj (already complete except resourceVersion) and emits ADDED or MODIFIED */
  put(rt: { group: string; plural: string }, obj: KObj): KObj {
    const key = storageKey(rt);
    let m = this.data.get(key);
    if (!m) this.data.set(key, (m = new Map()));
    const k = objKey(obj.metadata.namespace, obj.metadata.name);
    const prev = m.get(k);
    const rv = ++this.rv;
    obj.metadata.resourceVersion = String(rv);
    m.set(k, obj);
    this.emit({ type: prev ? "MODIFIED" : "ADDED", key, object: obj, rv, prev });
    return obj;
  }

  remove(rt: { group: string; plural: string }, ns: string | undefined, name: string): KObj | undefined {
    const key = storageKey(rt);
    const m = this.data.get(key);
    const old = m?.get(objKey(ns, name));
    if (!m || !old) return undefined;
    m.delete(objKey(ns, name));
    const rv = ++this.rv;
    const obj = { ...old, metadata: { ...old.metadata, resourceVersion: String(rv) } };
    this.emit({ type: "DELETED", key, object: obj, rv, prev: old });
    return obj;
  }

  /** the list as it was at revision rv (etcd's read at a revision), or undefined when the history kept does not reach back */
  listAt(rt: { group: string; plural: string }, ns: string | undefined, rv: number): KObj[] | undefined {
    const events = this.since(rv);
    if (!events) return undefined;
    const key = storageKey(rt);
    const m = new Map<string, KObj>();
    for (const o of this.list(rt, ns)) m.set(objKey(o.metadata.namespace, o.metadata.name), o);
    for (const e of events.reverse()) {
      if (e.key !== key || (ns !== undefined && e.object.metadata.namespace !== ns)) continue;
      const k = objKey(e.object.metadata.namespace, e.object.metadata.name);
      if (e.type === "ADDED") m.delete(k);
      else m.set(k, e.prev!);
    }
    return [...m.keys()].sort().map((k) => m.get(k)!);
  }

  /** events after rv, or undefined when rv is older than the history kept */
  since(rv: number): StoreEvent[] | undefined {
    if (rv >= this.rv) return [];
    const first = this.history[0];
    if (!first || first.rv > rv + 1) return undefined;
    return this.history.filter((e) => e.rv > rv);
  }

  oldestRv(): number {
    return this.history[0]?.rv ?? this.rv;
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private emit(e: StoreEvent): void {
    this.history.push(e);
    if (this.history.length > this.historySize) this.history.splice(0, this.history.length - this.historySize);
    for (const l of [...this.listeners]) l(e);
  }

  dump(): { rv: number; objects: Record<string, KObj[]> } {
    const objects: Record<string, KObj[]> = {};
    for (const [k, m] of this.data) objects[k] = [...m.values()];
    return { rv: this.rv, objects };
  }

  load(d: { rv: number; objects: Record<string, KObj[]> }): void {
    this.data.clear();
    this.history = [];
    for (const [k, list] of Object.entries(d.objects)) {
      this.data.set(k, new Map(list.map((o) => [objKey(o.metadata.namespace, o.metadata.name), o])));
    }
    this.rv = d.rv;
  }
}
