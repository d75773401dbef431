import type { KubeObject } from "@gitfleet/shared";
import { WATCH_RESTART_BASE_MS, WATCH_RESTART_MAX_MS } from "../config/intervals.js";
import { createBackoff } from "@gitfleet/shared";
import { isNotFound, statusCode } from "./errors.js";
import { apiError, type Transport, type WatchLine } from "./http.js";
import { createObjectIndex } from "./object-index.js";

export type ObjectId = { apiVersion: string; kind: string; namespace?: string; name: string };

export type CacheEventType = "ADDED" | "MODIFIED" | "DELETED";
export type CacheListener = (type: CacheEventType, obj: KubeObject) => void;

/**
 * What the agent knows of the objects it manages, kept current by one list+watch per kind across
 * all namespaces (an informer, as client-go has), or per kind and namespace for an agent limited to
 * namespaces or denied the cluster-wide list, so health, drift and "unchanged" decisions need no
 * GET. Only objects carrying the selector's label are kept, without managedFields and the
 * last-applied annotation: memory grows with what the agent manages, not with the cluster.
 */
export interface ObjectCache {
  /**
   * The labelled object as last seen, or undefined when no labelled object has this id (an object
   * without the label may exist). Starts the kind's informer on first use and waits for its list.
   * A kind that cannot be listed (not served, forbidden), or whose watch is down (the cache may be
   * behind), is read with a GET instead.
   */
  get(id: ObjectId): Promise<KubeObject | undefined>;
  /** The labelled objects of a kind in a namespace (all namespaces of a cluster-scoped kind). */
  list(apiVersion: string, kind: string, namespace: string | undefined): Promise<KubeObject[]>;
  /** Starts the kind's informer, if it is not running, and waits for its first list. */
  ensure(apiVersion: string, kind: string, namespace: string | undefined): Promise<void>;
  /** An object the agent just wrote, as the API server answered: readers must not see an older copy until the watch catches up. */
  observe(obj: KubeObject): void;
  /** Every change the informers see (not the agent's own writes given to observe). */
  subscribe(listener: CacheListener): () => void;
  size(): { informers: number; objects: number };
  stop(): void;
}

export interface KindInfo {
  namespaced: boolean;
  /** The collection's path: /api/v1/namespaces/NS/configmaps, /apis/G/V/clusterroles. */
  path(namespace: string | undefined): string;
}

export interface CacheDeps {
  transport: Transport;
  /** The label selector every informer lists and watches with. */
  selector: string;
  /** Whether the label selector matches an object (for writes the agent observes). */
  matches(obj: KubeObject): boolean;
  defaultNamespace: string;
  /** Namespaced kinds are listed and watched across namespaces, one informer each (falling back to one per namespace when that is forbidden). */
  clusterWide: boolean;
  kindInfo(apiVersion: string, kind: string): Promise<KindInfo | undefined>;
  /** The fallback when a kind cannot be listed. */
  read(id: ObjectId): Promise<KubeObject | undefined>;
  readAll(apiVersion: string, kind: string, namespace: string | undefined): Promise<KubeObject[]>;
  onError?(informer: string, err: unknown): void;
}

const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

/** The object without what the agent never reads from the cache (managedFields can be most of it). */
export function stripped(obj: KubeObject): KubeObject {
  const { managedFields: _m, ...metadata } = obj.metadata;
  if (metadata.annotations && LAST_APPLIED in metadata.annotations) {
    const { [LAST_APPLIED]: _l, ...annotations } = metadata.annotations;
    metadata.annotations = annotations;
  }
  return { ...obj, metadata };
}

/** resourceVersions are opaque, but etcd's (and kube-sim's) are integers: an older copy never replaces a newer one. */
function newer(a: KubeObject, than: KubeObject | undefined): boolean {
  const x = a.metadata.resourceVersion as string | undefined;
  const y = than?.metadata.resourceVersion as string | undefined;
  if (!y || !x || !/^\d+$/.test(x) || !/^\d+$/.test(y)) return x !== y;
  return BigInt(x) > BigInt(y);
}

export function createObjectCache(deps: CacheDeps): ObjectCache {
  const informers = new Map<string, Informer>();
  const listeners = new Set<CacheListener>();
  // Resolved kind scopes, so observe() can find an informer without waiting.
  const scopes = new Map<string, boolean>();
  // Kinds whose cluster-wide list was forbidden (RBAC granted some namespaces only): one informer per namespace.
  const perNamespace = new Set<string>();
  const emit: CacheListener = (type, obj) => {
    for (const l of listeners) l(type, obj);
  };

  async function informer(apiVersion: string, kind: string, namespace: string | undefined): Promise<Informer | undefined> {
    const info = await deps.kindInfo(apiVersion, kind);
    if (!info) return undefined;
    const kindKey = `${apiVersion}|${kind}`;
    scopes.set(kindKey, info.namespaced);
    const all = info.namespaced && deps.clusterWide && !perNamespace.has(kindKey);
    const ns = info.namespaced && !all ? namespace || deps.defaultNamespace : undefined;
    const key = `${kindKey}|${all ? ALL : ns ?? ""}`;
    let inf = informers.get(key);
    if (!inf) {
      inf = new Informer(key, deps, info.path(ns), apiVersion, kind, emit);
      informers.set(key, inf);
      // A kind that cannot be listed is forgotten, so the next use tries again.
      inf.ready.catch(() => informers.get(key) === inf && informers.delete(key));
    }
    try {
      await inf.ready;
    } catch (err) {
      if (!all || statusCode(err) !== 403) throw err;
      perNamespace.add(kindKey);
      return informer(apiVersion, kind, namespace);
    }
    return inf;
  }

  /** The informer that holds this object, if one runs. */
  const holder = (obj: { apiVersion: string; kind: string; metadata: { namespace?: string } }) => {
    const kindKey = `${obj.apiVersion}|${obj.kind}`;
    const namespaced = scopes.get(kindKey);
    if (namespaced === undefined) return undefined;
    return informers.get(`${kindKey}|${namespaced ? ALL : ""}`) ?? (namespaced ? informers.get(`${kindKey}|${obj.metadata.namespace || deps.defaultNamespace}`) : undefined);
  };
  /** The namespace an informer keeps this kind's object under: none for cluster-scoped kinds. */
  const namespaceOf = (apiVersion: string, kind: string, namespace: string | undefined) => (scopes.get(`${apiVersion}|${kind}`) ? namespace || deps.defaultNamespace : undefined);

  return {
    async get(id) {
      let inf: Informer | undefined;
      try {
        inf = await informer(id.apiVersion, id.kind, id.namespace);
      } catch (err) {
        // Some servers answer a list in a namespace that does not exist with 404: nothing is in it.
        if (isNotFound(err)) return undefined;
        return deps.read(id);
      }
      if (inf && !inf.current) return deps.read(id);
      return inf?.objects.get(namespaceOf(id.apiVersion, id.kind, id.namespace), id.name);
    },
    async list(apiVersion, kind, namespace) {
      let inf: Informer | undefined;
      try {
        inf = await informer(apiVersion, kind, namespace);
      } catch (err) {
        if (isNotFound(err)) return [];
        return deps.readAll(apiVersion, kind, namespace);
      }
      if (inf && !inf.current) return deps.readAll(apiVersion, kind, namespace);
      if (!inf) return [];
      const ns = namespaceOf(apiVersion, kind, namespace);
      return ns === undefined ? [...inf.objects.values()] : inf.objects.inNamespace(ns);
    },
    async ensure(apiVersion, kind, namespace) {
      await informer(apiVersion, kind, namespace);
    },
    observe(obj) {
      const inf = holder(obj);
      if (inf?.listed) inf.put(deps.matches(obj) ? "MODIFIED" : "DELETED", obj, false);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    size: () => ({ informers: informers.size, objects: [...informers.values()].reduce((n, i) => n + i.objects.size, 0) }),
    stop() {
      for (const inf of informers.values()) inf.stop();
      informers.clear();
      listeners.clear();
    },
  };
}

/** Watches end after this long (with jitter), as client-go's do: a silently dead connection is not kept forever. */
const WATCH_TIMEOUT_S = 300;

/** The informer key of a namespaced kind listed across namespaces. */
const ALL = "*";

/** An object's identity within an informer (cluster-scoped: by name). */
const keyOfObject = (obj: KubeObject) => `${obj.metadata.namespace ?? ""}/${obj.metadata.name}`;

/** One kind in one namespace, or across namespaces, or cluster-scoped: list, then watch from the list's resourceVersion; resume after a watch ends, relist on 410 Gone. */
class Informer {
  readonly objects = createObjectIndex();
  readonly ready: Promise<void>;
  listed = false;
  /** Listed, and the watch is open or about to be: what is stored is what the server has. */
  current = false;
  private rv = "";
  private abort?: () => void;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private readonly backoff = createBackoff(WATCH_RESTART_BASE_MS, WATCH_RESTART_MAX_MS);

  constructor(
    private readonly name: string,
    private readonly deps: CacheDeps,
    private readonly path: string,
    private readonly apiVersion: string,
    private readonly kind: string,
    private readonly emit: CacheListener,
  ) {
    this.ready = this.relist().then(() => this.watch());
  }

  /** Stores a change, unless it is older than what is stored; notifies listeners when asked. */
  put(type: CacheEventType, raw: KubeObject, notify = true): void {
    const obj = stripped({ ...raw, apiVersion: this.apiVersion, kind: this.kind });
    const old = this.objects.get(obj.metadata.namespace, obj.metadata.name);
    if (old && !newer(obj, old)) return;
    if (type === "DELETED") {
      if (!old && !notify) return;
      this.objects.delete(obj);
    } else {
      this.objects.set(obj);
    }
    if (notify) this.emit(type === "DELETED" || old ? type : "ADDED", obj);
  }

  private async relist(): Promise<void> {
    const res = await this.deps.transport.request<{ metadata?: { resourceVersion?: string }; items?: KubeObject[] }>("GET", this.path, { query: { labelSelector: this.deps.selector } });
    const fresh = new Map((res.items ?? []).map((o) => [keyOfObject(o), stripped({ ...o, apiVersion: this.apiVersion, kind: this.kind })]));
    if (this.listed) {
      // After a 410 the events in between are lost: tell listeners what the new list shows.
      for (const old of this.objects.values()) if (!fresh.has(keyOfObject(old))) this.emit("DELETED", old);
      for (const o of fresh.values()) {
        const old = this.objects.get(o.metadata.namespace, o.metadata.name);
        if (!old) this.emit("ADDED", o);
        else if (old.metadata.resourceVersion !== o.metadata.resourceVersion) this.emit("MODIFIED", o);
      }
    }
    this.objects.clear();
    for (const o of fresh.values()) this.objects.set(o);
    this.rv = res.metadata?.resourceVersion ?? "";
    this.listed = true;
    this.current = true;
  }

  private watch(): void {
    if (this.stopped) return;
    const started = Date.now();
    const timeoutSeconds = String(WATCH_TIMEOUT_S + Math.floor(Math.random() * WATCH_TIMEOUT_S));
    const query = { labelSelector: this.deps.selector, resourceVersion: this.rv, allowWatchBookmarks: "true", timeoutSeconds };
    this.abort = this.deps.transport.watch(this.path, query, {
      onOpen: () => (this.current = true),
      onLine: (line) => this.onLine(line),
      onDone: (err) => this.ended(err, Date.now() - started),
    });
  }

  private onLine({ type, object }: WatchLine): void {
    this.backoff.reset();
    const obj = object as unknown as KubeObject;
    if (type === "ERROR") throw apiError(Number((object as { code?: number }).code ?? 500), JSON.stringify(object));
    if (type !== "BOOKMARK") this.put(type as CacheEventType, obj);
    const rv = obj.metadata?.resourceVersion as string | undefined;
    if (rv) this.rv = rv;
  }

  private ended(err: unknown, lastedMs: number): void {
    if (this.stopped) return;
    // Until the next watch opens, changes may go unseen.
    this.current = false;
    if (err) this.deps.onError?.(this.name, err);
    if (statusCode(err) === 410) return this.recover();
    // A watch the server ended after a while resumes at once; one that failed or ended at once backs off.
    this.timer = setTimeout(() => this.watch(), err || lastedMs < 1_000 ? this.backoff.next() : 0);
  }

  /** 410 Gone: the resourceVersion is older than the server's history; list again and watch from there. */
  private recover(): void {
    this.relist().then(
      () => this.watch(),
      (err: unknown) => {
        if (this.stopped) return;
        this.deps.onError?.(this.name, err);
        this.timer = setTimeout(() => this.recover(), this.backoff.next());
      },
    );
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.abort?.();
  }
}
