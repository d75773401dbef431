import type { KubeObject } from "@gitfleet/shared";
import { MANAGED_BY, MANAGER_VALUE } from "../common/labels.js";
import type { ClusterAccess } from "./access.js";
import { createObjectCache, type KindInfo, type ObjectCache, type ObjectId } from "./cache.js";
import { isNotFound } from "./errors.js";
import { createTransport } from "./http.js";

export type { ObjectId } from "./cache.js";

/** The SSA field manager. Never change it: every field the agent manages is owned under this name. */
export const FIELD_MANAGER = "gitfleet";

/** The agent's view of the local cluster: the few verbs reconcile, prune, health and drift need. */
export interface Kube {
  /** The API server's URL. */
  server: string;
  defaultNamespace: string;
  /** Server-side apply as FIELD_MANAGER with force; dryRun compares without writing. */
  apply(obj: KubeObject, opts?: { dryRun?: boolean }): Promise<KubeObject>;
  /** A GET: the object as the API server has it now, whoever made it. */
  get(id: ObjectId): Promise<KubeObject | undefined>;
  /** Drops one label with a merge patch (other fields and their owners stay); an object gone is not an error. */
  removeLabel(id: ObjectId, key: string): Promise<void>;
  /** Deletes in the background; an object already gone is not an error. */
  delete(id: ObjectId): Promise<void>;
  list(apiVersion: string, kind: string, namespace: string | undefined, labelSelector: string): Promise<KubeObject[]>;
  /** true/false, or undefined when the API server does not serve this kind (yet). */
  namespaced(apiVersion: string, kind: string): Promise<boolean | undefined>;
  /** Forget discovery so kinds of newly Established CRDs are found. */
  forgetKind(apiVersion: string): void;
  /** Objects labelled as managed by gitfleet, kept current by watches (see cache.ts). */
  cache: ObjectCache;
  /** The API server's /version gitVersion. */
  version(): Promise<string>;
  /** Stops the cache's watches and closes the connection. */
  close(): void;
}

type Discovery = { resources?: { name: string; kind: string; namespaced: boolean }[] };

export interface KubeOptions {
  /** The agent may write only in these namespaces (--namespaces): its cache lists and watches each of them, not the whole cluster. */
  namespaces?: readonly string[];
}

export function createKube(access: ClusterAccess, opts: KubeOptions = {}): Kube {
  const http = createTransport(access);
  const defaultNamespace = access.defaultNamespace;
  const discovery = new Map<string, Promise<Map<string, KindInfo>>>();

  /** One discovery request per apiVersion, shared by concurrent callers. */
  function kinds(apiVersion: string): Promise<Map<string, KindInfo>> {
    let found = discovery.get(apiVersion);
    if (!found) {
      const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      found = http.request<Discovery>("GET", base).then(
        (d) => new Map((d.resources ?? []).filter((r) => !r.name.includes("/")).map((r) => [r.kind, kindInfo(base, r.name, r.namespaced)])),
        (err: unknown) => {
          if (isNotFound(err)) return new Map<string, KindInfo>();
          throw err;
        },
      );
      discovery.set(apiVersion, found);
      // A failure is not remembered: the next call asks again.
      found.catch(() => discovery.get(apiVersion) === found && discovery.delete(apiVersion));
    }
    return found;
  }
  const info = async (apiVersion: string, kind: string) => (await kinds(apiVersion)).get(kind);

  /** The object's path, or undefined when its kind is not served. */
  async function pathOf(id: ObjectId): Promise<string | undefined> {
    const k = await info(id.apiVersion, id.kind);
    return k && `${k.path(k.namespaced ? id.namespace || defaultNamespace : undefined)}/${encodeURIComponent(id.name)}`;
  }
  async function mustPath(id: ObjectId): Promise<string> {
    const path = await pathOf(id);
    // client-node's wording, which callers and logs already know.
    if (!path) throw new Error(`Unrecognized API version and kind: ${id.apiVersion} ${id.kind}`);
    return path;
  }
  const withKind = (o: KubeObject, apiVersion: string, kind: string) => ({ ...o, apiVersion, kind }) as KubeObject;

  async function get(id: ObjectId): Promise<KubeObject | undefined> {
    const path = await pathOf(id);
    if (!path) return undefined;
    try {
      return withKind(await http.request<KubeObject>("GET", path), id.apiVersion, id.kind);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
  async function list(apiVersion: string, kind: string, namespace: string | undefined, labelSelector: string): Promise<KubeObject[]> {
    const k = await info(apiVersion, kind);
    if (!k) throw new Error(`Unrecognized API version and kind: ${apiVersion} ${kind}`);
    const res = await http.request<{ items?: KubeObject[] }>("GET", k.path(k.namespaced ? namespace : undefined), { query: { labelSelector } });
    // List items omit apiVersion and kind.
    return (res.items ?? []).map((o) => withKind(o, apiVersion, kind));
  }
  const selector = `${MANAGED_BY}=${MANAGER_VALUE}`;
  const cache = createObjectCache({
    transport: http,
    selector,
    matches: (o) => o.metadata.labels?.[MANAGED_BY] === MANAGER_VALUE,
    defaultNamespace,
    clusterWide: !opts.namespaces?.length,
    kindInfo: info,
    read: get,
    readAll: (apiVersion, kind, namespace) => list(apiVersion, kind, namespace, selector),
  });

  return {
    server: access.server,
    defaultNamespace,
    async apply(obj, opts = {}) {
      const live = await http.request<KubeObject>("PATCH", await mustPath(idOf(obj)), {
        query: { fieldManager: FIELD_MANAGER, force: "true", dryRun: opts.dryRun ? "All" : undefined },
        // JSON is YAML: the apply patch needs no YAML serializer.
        body: obj,
        contentType: "application/apply-patch+yaml",
      });
      if (!opts.dryRun) cache.observe(withKind(live, obj.apiVersion, obj.kind));
      return live;
    },
    get,
    async removeLabel(id, key) {
      try {
        const live = await http.request<KubeObject>("PATCH", await mustPath(id), {
          query: { fieldManager: FIELD_MANAGER },
          body: { metadata: { labels: { [key]: null } } },
          contentType: "application/merge-patch+json",
        });
        cache.observe(withKind(live, id.apiVersion, id.kind));
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    },
    async delete(id) {
      try {
        await http.request("DELETE", await mustPath(id), { body: { apiVersion: "v1", kind: "DeleteOptions", propagationPolicy: "Background" } });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    },
    list,
    async namespaced(apiVersion, kind) {
      return (await info(apiVersion, kind))?.namespaced;
    },
    forgetKind: (apiVersion) => void discovery.delete(apiVersion),
    cache,
    async version() {
      return (await http.request<{ gitVersion: string }>("GET", "/version")).gitVersion;
    },
    close() {
      cache.stop();
      http.close();
    },
  };
}

function kindInfo(base: string, plural: string, namespaced: boolean): KindInfo {
  return { namespaced, path: (ns) => `${base}${namespaced && ns ? `/namespaces/${encodeURIComponent(ns)}` : ""}/${plural}` };
}

/** The labelled object from the cache, else a GET (it may exist without the label, or the cache may not have it yet). */
export async function readLive(kube: Kube, id: ObjectId): Promise<KubeObject | undefined> {
  return (await kube.cache.get(id)) ?? (await kube.get(id));
}

export function idOf(obj: KubeObject): ObjectId {
  return { apiVersion: obj.apiVersion, kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name };
}
