import { existsSync } from "node:fs";
import { KubeConfig, KubernetesObjectApi, PatchStrategy, Watch, type KubernetesObject } from "@kubernetes/client-node";
import type { KubeObject } from "@gitfleet/shared";
import { isNotFound } from "./errors.js";

/** The SSA field manager. Never change it: every field the agent manages is owned under this name. */
export const FIELD_MANAGER = "gitfleet";

export type ObjectId = { apiVersion: string; kind: string; namespace?: string; name: string };

/** The agent's view of the local cluster: the few verbs reconcile, prune, health and drift need. */
export interface Kube {
  kc: KubeConfig;
  defaultNamespace: string;
  /** Server-side apply as FIELD_MANAGER with force; dryRun compares without writing. */
  apply(obj: KubeObject, opts?: { dryRun?: boolean }): Promise<KubeObject>;
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
  /** Watches a kind (in one namespace, or all when undefined); returns a stop function. */
  watch(w: WatchRequest): Promise<() => void>;
}

export interface WatchRequest {
  apiVersion: string;
  kind: string;
  namespace?: string;
  labelSelector: string;
  onEvent(type: string, obj: KubeObject): void;
  /** The watch ended (err undefined) or failed; it is not restarted here. */
  onDone(err?: unknown): void;
}

// Subclassed only to reach the protected discovery cache; all writes still go through patch().
class ObjectApi extends KubernetesObjectApi {
  async kindInfo(apiVersion: string, kind: string) {
    return this.resource(apiVersion, kind);
  }
  listPath(apiVersion: string, kind: string, namespace?: string) {
    return this.specUriPath({ apiVersion, kind, metadata: { namespace } }, "list");
  }
  forget(apiVersion: string) {
    delete this.apiVersionResourceCache[apiVersion];
  }
  useContextNamespace(kc: KubeConfig) {
    this.setDefaultNamespace(kc);
    return this.defaultNamespace;
  }
}

/** A kubeconfig file, or the in-cluster service account when none is given. */
export function loadKubeConfig(file?: string): KubeConfig {
  const kc = new KubeConfig();
  if (file) kc.loadFromFile(file);
  else kc.loadFromCluster();
  return kc;
}

export function createKube(kc: KubeConfig): Kube {
  const api = kc.makeApiClient(ObjectApi);
  const defaultNamespace = api.useContextNamespace(kc);
  const asK = (o: KubeObject) => structuredClone(o) as KubernetesObject;
  return {
    kc,
    defaultNamespace,
    async apply(obj, opts = {}) {
      const dryRun = opts.dryRun ? "All" : undefined;
      return (await api.patch(asK(obj), undefined, dryRun, FIELD_MANAGER, true, PatchStrategy.ServerSideApply)) as KubeObject;
    },
    async get(id) {
      try {
        return (await api.read({ apiVersion: id.apiVersion, kind: id.kind, metadata: { name: id.name, namespace: id.namespace } })) as KubeObject;
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    async removeLabel(id, key) {
      const patch = { apiVersion: id.apiVersion, kind: id.kind, metadata: { name: id.name, namespace: id.namespace, labels: { [key]: null } } };
      try {
        await api.patch(patch as unknown as KubernetesObject, undefined, undefined, FIELD_MANAGER, undefined, PatchStrategy.MergePatch);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    },
    async delete(id) {
      try {
        await api.delete({ apiVersion: id.apiVersion, kind: id.kind, metadata: { name: id.name, namespace: id.namespace } }, undefined, undefined, undefined, undefined, "Background");
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    },
    async list(apiVersion, kind, namespace, labelSelector) {
      const res = await api.list(apiVersion, kind, namespace, undefined, undefined, undefined, undefined, labelSelector);
      // Built-in list items omit apiVersion and kind.
      return res.items.map((o) => ({ ...o, apiVersion, kind }) as KubeObject);
    },
    async namespaced(apiVersion, kind) {
      try {
        return (await api.kindInfo(apiVersion, kind))?.namespaced;
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    forgetKind: (apiVersion) => api.forget(apiVersion),
    async watch(w) {
      const path = await api.listPath(w.apiVersion, w.kind, w.namespace);
      const ctl = await new Watch(kc).watch(
        path,
        { labelSelector: w.labelSelector, allowWatchBookmarks: true },
        (type, obj: KubeObject) => w.onEvent(type, obj),
        (err: unknown) => w.onDone(err ?? undefined),
      );
      return () => ctl.abort();
    },
  };
}

export function idOf(obj: KubeObject): ObjectId {
  return { apiVersion: obj.apiVersion, kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name };
}

/** Running in a pod with a service account token: KubeConfig.loadFromCluster() will work. */
export function inCluster(): boolean {
  return Boolean(process.env.KUBERNETES_SERVICE_HOST) && existsSync("/var/run/secrets/kubernetes.io/serviceaccount/token");
}
