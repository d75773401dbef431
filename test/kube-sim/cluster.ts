// One emulated cluster: the verbs of the Kubernetes API over the in-memory store, independent of HTTP.
import { randomUUID } from "node:crypto";
import { decodeApplyBody } from "./apply-body.js";
import { applyDefaults } from "./defaults.js";
import {
  ApiError, alreadyExists, badRequest, conflict, forbidden, gone, invalid, notFound, staleRV, unsupportedMediaType,
} from "./errors.js";
import { apiVersionOf, Registry, type ResourceType } from "./kinds.js";
import { jsonPatch, mergePatch, strategicMerge } from "./patch.js";
import { labelSelectorOf, parseFieldSelector, parseLabelSelector, selectorString } from "./selectors.js";
import { apply, trackUpdate } from "./ssa.js";
import { prepareForUpdate } from "./immutable.js";
import { allowedConflicts, UPGRADING_MANAGER, updateLastApplied } from "./last-applied.js";
import { finalized, NamespaceLifecycle } from "./namespaces.js";
import { Scheduler } from "./scheduler.js";
import { Store } from "./store.js";
import { checkUnknownFields } from "./structural.js";
import { clone, deepEqual, getPath, isObj, nowIso, randomSuffix, setPath, type KObj } from "./util.js";
import { validate } from "./validate.js";

export interface WriteCtx {
  manager?: string;
  userAgent?: string;
  dryRun?: boolean;
  force?: boolean;
  fieldValidation?: string;
  warnings?: string[];
}

export interface ListOpts { labelSelector?: string; fieldSelector?: string; limit?: number; continue?: string; resourceVersion?: string; resourceVersionMatch?: string }

const CONTINUE_EXPIRED = "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.";
export interface DeleteOpts { propagationPolicy?: string; preconditions?: { uid?: string; resourceVersion?: string }; gracePeriodSeconds?: number }

export const PATCH_TYPES = {
  json: "application/json-patch+json",
  merge: "application/merge-patch+json",
  strategic: "application/strategic-merge-patch+json",
  apply: "application/apply-patch+yaml",
};

const SYSTEM_META = ["uid", "resourceVersion", "creationTimestamp", "generation", "managedFields", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink"];

export class Cluster {
  readonly registry = new Registry();
  readonly store: Store;
  readonly scheduler = new Scheduler();
  private nextIp = 2;
  private nextNodePort = 0;

  readonly namespaces: NamespaceLifecycle;

  constructor(opts: { watchHistory?: number; namespaceDeleteDelayMs?: number } = {}) {
    this.store = new Store(opts.watchHistory ?? 1000);
    this.namespaces = new NamespaceLifecycle(this, opts.namespaceDeleteDelayMs ?? 300);
  }

  rt(apiVersion: string, kind: string): ResourceType {
    const t = this.registry.byKind(apiVersion, kind);
    if (!t) throw new ApiError(404, "NotFound", `the server could not find the requested resource (${kind} ${apiVersion})`);
    return t;
  }

  /** the object as served in the version rt names (custom resources are stored once for all versions) */
  present(rt: ResourceType, obj: KObj): KObj {
    const av = apiVersionOf(rt);
    return obj.apiVersion === av ? obj : { ...obj, apiVersion: av };
  }

  get(rt: ResourceType, ns: string | undefined, name: string): KObj {
    const o = this.store.get(rt, rt.namespaced ? ns : undefined, name);
    if (!o) throw notFound(rt, name);
    return this.present(rt, o);
  }

  list(rt: ResourceType, ns: string | undefined, o: ListOpts = {}): { items: KObj[]; rv: string; continue?: string; remaining?: number } {
    const lm = parseLabelSelector(o.labelSelector);
    const fm = parseFieldSelector(rt, o.fieldSelector);
    const nsKey = rt.namespaced ? ns : undefined;
    let start: string | undefined;
    let rv = this.store.rv;
    if (o.continue) {
      let tok: { rv: string; start: string };
      try { tok = JSON.parse(Buffer.from(o.continue, "base64url").toString()); } catch {
        throw badRequest("invalid continue token");
      }
      rv = Number(tok.rv);
      start = tok.start;
    } else if (o.resourceVersion && o.resourceVersionMatch === "Exact") {
      rv = Number(o.resourceVersion);
    }
    // every page of a chunked list, and an Exact list, reads the store as of one revision
    const all = rv === this.store.rv ? this.store.list(rt, nsKey) : this.store.listAt(rt, nsKey, rv);
    if (!all) {
      if (!o.continue) throw gone(`too old resource version: ${rv} (${this.store.oldestRv()})`);
      const fresh = Buffer.from(JSON.stringify({ rv: String(this.store.rv), start })).toString("base64url");
      throw new ApiError(410, "Expired", CONTINUE_EXPIRED, undefined, undefined, { continue: fresh });
    }
    let items = all.filter((x) => (!lm || lm(x)) && (!fm || fm(x)));
    if (start !== undefined) items = items.filter((x) => `${x.metadata.namespace ?? ""}/${x.metadata.name}` > start!);
    let cont: string | undefined;
    let remaining: number | undefined;
    if (o.limit && o.limit > 0 && items.length > o.limit) {
      remaining = items.length - o.limit;
      items = items.slice(0, o.limit);
      const last = items[items.length - 1]!;
      cont = Buffer.from(JSON.stringify({ rv: String(rv), start: `${last.metadata.namespace ?? ""}/${last.metadata.name}` })).toString("base64url");
    }
    return { items: items.map((x) => this.present(rt, x)), rv: String(rv), continue: cont, remaining };
  }

  private requireNamespace(rt: ResourceType, ns: string | undefined, verb: string, name = ""): void {
    if (!rt.namespaced) return;
    if (!ns) throw badRequest("the server could not find the requested resource");
    const nsObj = this.store.get({ group: "", plural: "namespaces" }, undefined, ns);
    if (!nsObj) throw notFound(this.registry.byResource("", "v1", "namespaces")!, ns);
    if (verb === "create" && nsObj.metadata.deletionTimestamp) {
      throw new ApiError(403, "Forbidden", `${rt.group ? `${rt.plural}.${rt.group}` : rt.plural} "${name}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`,
        { kind: rt.plural, ...(rt.group ? { group: rt.group } : {}), causes: [{ reason: "NamespaceTerminating", message: `namespace ${ns} is being terminated`, field: "metadata.namespace" }] });
    }
  }

  private manager(ctx: WriteCtx): string {
    if (ctx.manager) return ctx.manager;
    const ua = ctx.userAgent ?? "";
    return ua.split("/")[0] || "unknown";
  }

  private checkBody(rt: ResourceType, body: unknown): KObj {
    if (!isObj(body)) throw badRequest("the object provided is unrecognized (must be of type " + rt.kind + ")");
    if (body.kind !== undefined && body.kind !== rt.kind) {
      throw badRequest(`the API version in the data (${body.apiVersion}) does not match the expected API version (${apiVersionOf(rt)})`.replace(/API version.*/, `kind in the data (${body.kind}) does not match the expected kind (${rt.kind})`));
    }
    if (body.apiVersion !== undefined && body.apiVersion !== apiVersionOf(rt)) {
      throw badRequest(`the API version in the data (${body.apiVersion}) does not match the expected API version (${apiVersionOf(rt)})`);
    }
    return body;
  }

  create(rt: ResourceType, ns: string | undefined, body: unknown, ctx: WriteCtx = {}): KObj {
    const obj = clone(this.checkBody(rt, body));
    obj.apiVersion = apiVersionOf(rt);
    obj.kind = rt.kind;
    const meta = (obj.metadata ??= {});
    if (rt.namespaced) {
      if (meta.namespace && ns && meta.namespace !== ns) throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
      meta.namespace = ns ?? meta.namespace;
    } else delete meta.namespace;
    if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${randomSuffix()}`;
    if (meta.name && this.store.get(rt, meta.namespace, meta.name)) throw alreadyExists(rt, meta.name);
    if (meta.name) this.requireNamespace(rt, meta.namespace, "create", meta.name);
    for (const k of SYSTEM_META) delete meta[k];
    if (rt.status && rt.kind !== "Node" && rt.kind !== "Namespace") delete obj.status;
    return this.finish(rt, undefined, obj, ctx, true);
  }

  private fresh(rt: ResourceType, obj: KObj): void {
    const meta = obj.metadata;
    meta.uid = randomUUID();
    meta.creationTimestamp = nowIso();
    if (rt.generation) meta.generation = 1;
    if (rt.kind === "Service" && rt.group === "" && isObj(obj.spec)) {
      if (!obj.spec.clusterIP) {
        const n = this.nextIp++;
        obj.spec.clusterIP = `10.96.${(n >> 8) & 255}.${n & 255}`;
      }
      obj.spec.clusterIPs ??= [obj.spec.clusterIP];
      obj.status ??= { loadBalancer: {} };
    }
    if (rt.kind === "Namespace" && rt.group === "") obj.status = { phase: "Active" };
    if (rt.kind === "PersistentVolume") obj.status = { phase: "Pending" };
    if (rt.kind === "Deployment") meta.annotations = { "deployment.kubernetes.io/revision": "1", ...(meta.annotations ?? {}) };
  }

  /** the Service REST storage allocates node ports (30000-32767) for NodePort and LoadBalancer Services */
  private allocateNodePorts(rt: ResourceType, obj: KObj): void {
    const spec = obj.spec;
    if (rt.group !== "" || rt.kind !== "Service" || !isObj(spec) || (spec.type !== "NodePort" && spec.type !== "LoadBalancer")) return;
    for (const p of (spec.ports ?? []) as KObj[]) if (isObj(p) && p.nodePort === undefined) p.nodePort = 30000 + (this.nextNodePort++ % 2768);
  }

  /** defaulting, validation, managedFields, generation, then store */
  private finish(rt: ResourceType, old: KObj | undefined, next: KObj, ctx: WriteCtx, track: boolean, subresource?: string): KObj {
    let obj = clone(next);
    obj.metadata ??= {};
    if (!old) this.fresh(rt, obj);
    else prepareForUpdate(rt, old, obj);
    this.allocateNodePorts(rt, obj);
    applyDefaults(rt.kind, obj);
    if (rt.schema) this.structural(rt, obj, ctx);
    const errs = validate(rt, obj, old);
    if (errs.length) throw invalid(rt, obj.metadata?.name ?? "", errs);
    if (track) obj = trackUpdate({ rt: subresource === "status" ? { ...rt, status: false } : rt, old, next: obj, manager: this.manager(ctx), apiVersion: apiVersionOf(rt), subresource });
    if (old) {
      const gen = old.metadata.generation;
      if (rt.generation) obj.metadata.generation = specChanged(rt, old, obj) ? (gen ?? 0) + 1 : gen;
      if (old.metadata.deletionTimestamp && finalized(rt, obj)) {
        if (ctx.dryRun) return this.present(rt, obj);
        const gone = this.store.remove(rt, old.metadata.namespace, old.metadata.name);
        this.afterDelete(rt, gone!, "Background");
        return this.present(rt, gone!);
      }
      if (deepEqual(stripRv(old), stripRv(obj))) return this.present(rt, old);
    }
    if (ctx.dryRun) {
      obj.metadata.resourceVersion = old?.metadata.resourceVersion;
      return this.present(rt, obj);
    }
    return this.present(rt, this.store.put(rt, obj));
  }

  private structural(rt: ResourceType, obj: KObj, ctx: WriteCtx): void {
    const unknown = checkUnknownFields(rt.schema!, obj);
    if (!unknown.length) return;
    if (ctx.fieldValidation === "Strict") {
      throw badRequest(`strict decoding error: ${unknown.map((p) => `unknown field "${p}"`).join(", ")}`);
    }
    if (ctx.fieldValidation !== "Ignore") ctx.warnings?.push(...unknown.map((p) => `unknown field "${p}"`));
  }

  update(rt: ResourceType, ns: string | undefined, name: string, body: unknown, ctx: WriteCtx = {}, subresource?: string): KObj {
    const b = this.checkBody(rt, body);
    const old = this.store.get(rt, rt.namespaced ? ns : undefined, name);
    if (!old) throw notFound(rt, name);
    if (b.metadata?.name && b.metadata.name !== name) throw badRequest(`the name of the object (${b.metadata.name}) does not match the name on the URL (${name})`);
    return this.replace(rt, old, clone(b), ctx, subresource);
  }

  private replace(rt: ResourceType, old: KObj, next: KObj, ctx: WriteCtx, subresource?: string): KObj {
    const rv = next.metadata?.resourceVersion;
    if (rv && rv !== old.metadata.resourceVersion) throw staleRV(rt, old.metadata.name);
    if (next.metadata?.uid && next.metadata.uid !== old.metadata.uid) {
      throw conflict(rt, old.metadata.name, `Precondition failed: UID in precondition: ${next.metadata.uid}, UID in object meta: ${old.metadata.uid}`);
    }
    let obj: KObj;
    if (subresource === "finalize") {
      obj = clone(old);
      obj.spec = { ...(obj.spec ?? {}), finalizers: next.spec?.finalizers };
      if (!obj.spec.finalizers?.length) delete obj.spec.finalizers;
    } else if (subresource === "status") {
      obj = { ...clone(old), status: next.status };
      if (next.metadata?.managedFields) obj.metadata.managedFields = next.metadata.managedFields;
    } else {
      obj = next;
      obj.apiVersion = apiVersionOf(rt);
      obj.kind = rt.kind;
      obj.metadata ??= {};
      for (const k of ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "name", "namespace"]) {
        if (old.metadata[k] === undefined) delete obj.metadata[k];
        else obj.metadata[k] = old.metadata[k];
      }
      if (obj.metadata.managedFields === undefined && old.metadata.managedFields) obj.metadata.managedFields = old.metadata.managedFields;
      if (rt.status) {
        if (old.status === undefined) delete obj.status;
        else obj.status = old.status;
      }
    }
    return this.finish(rt, old, obj, ctx, true, subresource);
  }

  patch(rt: ResourceType, ns: string | undefined, name: string, contentType: string, raw: string, ctx: WriteCtx = {}, subresource?: string): { obj: KObj; created: boolean } {
    const type = contentType.split(";")[0]!.trim();
    const nsKey = rt.namespaced ? ns : undefined;
    const old = this.store.get(rt, nsKey, name);
    if (type === PATCH_TYPES.apply) return this.applyPatch(rt, ns, name, old, raw, ctx, subresource);
    if (type === PATCH_TYPES.strategic && rt.schema) {
      throw unsupportedMediaType(type, [PATCH_TYPES.json, PATCH_TYPES.merge, PATCH_TYPES.apply]);
    }
    if (![PATCH_TYPES.json, PATCH_TYPES.merge, PATCH_TYPES.strategic].includes(type)) {
      throw unsupportedMediaType(type, [PATCH_TYPES.json, PATCH_TYPES.merge, PATCH_TYPES.apply, PATCH_TYPES.strategic]);
    }
    if (!old) throw notFound(rt, name);
    let p: unknown;
    try { p = JSON.parse(raw); } catch (e) { throw badRequest(`error decoding patch: ${(e as Error).message}`); }
    const base = this.present(rt, old);
    let next: unknown;
    if (type === PATCH_TYPES.json) next = jsonPatch(base, p);
    else if (type === PATCH_TYPES.merge) next = mergePatch(base, p);
    else next = strategicMerge(rt, base, p);
    if (!isObj(next)) throw badRequest("patch did not produce an object");
    if (next.metadata?.name !== undefined && next.metadata.name !== name) {
      throw invalid(rt, name, [{ type: "Invalid", field: "metadata.name", value: next.metadata.name, detail: "field is immutable" }]);
    }
    if (next.metadata?.resourceVersion === old.metadata.resourceVersion) delete next.metadata.resourceVersion;
    return { obj: this.replace(rt, old, clone(next), ctx, subresource), created: false };
  }

  private applyPatch(rt: ResourceType, ns: string | undefined, name: string, old: KObj | undefined, raw: string, ctx: WriteCtx, subresource?: string): { obj: KObj; created: boolean } {
    let cfg: unknown;
    try { cfg = decodeApplyBody(raw, ctx); } catch (e) { throw e instanceof ApiError ? e : badRequest(`error decoding YAML: ${(e as Error).message}`); }
    if (!isObj(cfg)) throw badRequest("error decoding YAML: not an object");
    if (!cfg.apiVersion || !cfg.kind) throw badRequest(`invalid object type: ${cfg.apiVersion ?? ""}, Kind=${cfg.kind ?? ""}`);
    this.checkBody(rt, cfg);
    if (!ctx.manager) throw invalid(rt, name, [{ type: "Required", field: "fieldManager", detail: "is required for apply patch" }]);
    const meta = (cfg.metadata ??= {});
    if (meta.name && meta.name !== name) throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
    meta.name = name;
    if (rt.namespaced) {
      if (meta.namespace && meta.namespace !== ns) throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
      meta.namespace = ns;
    }
    if (old && meta.resourceVersion && meta.resourceVersion !== old.metadata.resourceVersion) throw staleRV(rt, name);
    if (old && meta.uid && meta.uid !== old.metadata.uid) throw conflict(rt, name, `Precondition failed: UID in precondition: ${meta.uid}, UID in object meta: ${old.metadata.uid}`);
    for (const k of SYSTEM_META) delete meta[k];
    let config = cfg;
    if (subresource === "status") config = { apiVersion: cfg.apiVersion, kind: cfg.kind, metadata: { name }, status: cfg.status };
    const rtFor = subresource === "status" ? { ...rt, status: false } : rt;
    if (!old) {
      this.requireNamespace(rt, ns, "create", name);
      if (subresource) throw notFound(rt, name);
      const obj = apply({ rt: rtFor, live: undefined, config, manager: ctx.manager, force: !!ctx.force, apiVersion: apiVersionOf(rt) });
      if (rt.status && rt.kind !== "Namespace") delete obj.status;
      obj.apiVersion = apiVersionOf(rt);
      obj.kind = rt.kind;
      return { obj: this.finish(rt, undefined, obj, ctx, false), created: true };
    }
    const live = this.present(rt, old);
    const upgrading = ctx.manager === UPGRADING_MANAGER && !subresource;
    const obj = apply({ rt: rtFor, live, config, manager: ctx.manager, force: !!ctx.force, apiVersion: apiVersionOf(rt), subresource,
      allowedConflicts: upgrading ? allowedConflicts(rt, live) : undefined });
    if (upgrading) updateLastApplied(live, config, obj);
    for (const k of ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "resourceVersion"]) {
      if (old.metadata[k] !== undefined) obj.metadata[k] = old.metadata[k];
    }
    if (rt.status && !subresource) obj.status = old.status;
    if (rt.status && !subresource && old.status === undefined) delete obj.status;
    delete obj.metadata.resourceVersion;
    return { obj: this.finish(rt, old, obj, ctx, false, subresource), created: false };
  }

  getScale(rt: ResourceType, ns: string | undefined, name: string): KObj {
    const o = this.get(rt, ns, name);
    return this.toScale(rt, o);
  }

  private toScale(rt: ResourceType, o: KObj): KObj {
    const s = rt.scale!;
    const sel = s.labelSelectorPath ? getPath(o, s.labelSelectorPath) : undefined;
    const status: KObj = { replicas: getPath(o, s.statusReplicasPath) ?? 0 };
    const selector = typeof sel === "string" ? sel : isObj(o.spec?.selector) ? selectorString(labelSelectorOf(rt.kind, o.spec.selector)) : undefined;
    if (selector) status.selector = selector;
    const m = o.metadata;
    return {
      kind: "Scale", apiVersion: "autoscaling/v1",
      metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
      spec: { replicas: getPath(o, s.specReplicasPath) ?? 0 }, status,
    };
  }

  writeScale(rt: ResourceType, ns: string | undefined, name: string, method: "PUT" | "PATCH", contentType: string, raw: string, ctx: WriteCtx): KObj {
    const old = this.store.get(rt, rt.namespaced ? ns : undefined, name);
    if (!old) throw notFound(rt, name);
    const cur = this.toScale(rt, this.present(rt, old));
    let body: unknown;
    try { body = method === "PATCH" && contentType.startsWith(PATCH_TYPES.apply) ? decodeApplyBody(raw, ctx) : JSON.parse(raw); } catch (e) { throw e instanceof ApiError ? e : badRequest((e as Error).message); }
    let next: KObj;
    if (method === "PUT") next = body as KObj;
    else if (contentType.startsWith(PATCH_TYPES.json)) next = jsonPatch(cur, body) as KObj;
    else next = mergePatch(cur, body) as KObj;
    const replicas = next?.spec?.replicas;
    if (typeof replicas !== "number") throw badRequest("spec.replicas must be a number");
    if (next.metadata?.resourceVersion && next.metadata.resourceVersion !== old.metadata.resourceVersion) throw staleRV(rt, name);
    const updated = clone(this.present(rt, old));
    setPath(updated, rt.scale!.specReplicasPath, replicas);
    const res = this.finish(rt, old, updated, ctx, true, "scale");
    return this.toScale(rt, res);
  }

  delete(rt: ResourceType, ns: string | undefined, name: string, o: DeleteOpts = {}, ctx: WriteCtx = {}): { obj: KObj; gone: boolean } {
    const nsKey = rt.namespaced ? ns : undefined;
    const old = this.store.get(rt, nsKey, name);
    if (!old) throw notFound(rt, name);
    const pre = o.preconditions;
    if (pre?.uid && pre.uid !== old.metadata.uid) throw conflict(rt, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`);
    if (pre?.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion) {
      throw conflict(rt, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`);
    }
    const policy = o.propagationPolicy ?? (rt.kind === "Job" || rt.kind === "CronJob" ? "Orphan" : "Background");
    if (ctx.dryRun) return { obj: this.present(rt, old), gone: !(old.metadata.finalizers?.length) };
    const isNs = rt.kind === "Namespace" && rt.group === "";
    const finalizers: string[] = [...(old.metadata.finalizers ?? [])];
    if (policy === "Foreground" && this.dependents(old.metadata.uid).length && !finalizers.includes("foregroundDeletion")) finalizers.push("foregroundDeletion");
    if (policy === "Orphan" && o.propagationPolicy === "Orphan") this.orphan(old.metadata.uid);
    if (finalizers.length || isNs) {
      if (old.metadata.deletionTimestamp) return { obj: this.present(rt, old), gone: false };
      const obj = clone(old);
      obj.metadata.deletionTimestamp = nowIso();
      obj.metadata.deletionGracePeriodSeconds = 0;
      obj.metadata.finalizers = finalizers.length ? finalizers : undefined;
      if (!obj.metadata.finalizers) delete obj.metadata.finalizers;
      if (isNs) obj.status = { ...(obj.status ?? {}), phase: "Terminating" };
      const stored = this.store.put(rt, obj);
      if (isNs) this.namespaces.terminating(name);
      if (finalizers.includes("foregroundDeletion")) this.scheduler.after(0, () => this.foreground(rt, stored));
      return { obj: this.present(rt, stored), gone: false };
    }
    const gone = this.store.remove(rt, nsKey, name)!;
    this.afterDelete(rt, gone, policy);
    return { obj: this.present(rt, gone), gone: true };
  }

  deleteCollection(rt: ResourceType, ns: string | undefined, lo: ListOpts, o: DeleteOpts, ctx: WriteCtx): KObj[] {
    const { items } = this.list(rt, ns, { labelSelector: lo.labelSelector, fieldSelector: lo.fieldSelector });
    return items.map((x) => this.delete(rt, x.metadata.namespace, x.metadata.name, o, ctx).obj);
  }

  private afterDelete(rt: ResourceType, gone: KObj, policy: string): void {
    if (policy !== "Orphan" && gone.metadata.uid) this.scheduler.after(0, () => this.collect(gone.metadata.uid));
    if (rt.kind === "CustomResourceDefinition") this.onCrdDeleted?.(gone);
  }

  onCrdDeleted?: (crd: KObj) => void;

  private dependents(uid: string): Array<{ rt: ResourceType; obj: KObj }> {
    const out: Array<{ rt: ResourceType; obj: KObj }> = [];
    for (const t of this.registry.all()) {
      for (const obj of this.store.list(t)) {
        if ((obj.metadata.ownerReferences ?? []).some((r: KObj) => r.uid === uid)) out.push({ rt: t, obj });
      }
    }
    const seen = new Set<string>();
    return out.filter((d) => !seen.has(d.obj.metadata.uid) && !!seen.add(d.obj.metadata.uid));
  }

  private collect(uid: string): void {
    for (const d of this.dependents(uid)) {
      try { this.delete(d.rt, d.obj.metadata.namespace, d.obj.metadata.name, { propagationPolicy: "Background" }); } catch { /* already gone */ }
    }
  }

  private orphan(uid: string): void {
    for (const d of this.dependents(uid)) {
      const obj = clone(d.obj);
      obj.metadata.ownerReferences = obj.metadata.ownerReferences.filter((r: KObj) => r.uid !== uid);
      if (!obj.metadata.ownerReferences.length) delete obj.metadata.ownerReferences;
      this.store.put(d.rt, obj);
    }
  }

  private foreground(rt: ResourceType, owner: KObj): void {
    const cur = this.store.get(rt, owner.metadata.namespace, owner.metadata.name);
    if (!cur || cur.metadata.uid !== owner.metadata.uid) return;
    const deps = this.dependents(owner.metadata.uid);
    for (const d of deps) {
      if (!d.obj.metadata.deletionTimestamp) {
        try { this.delete(d.rt, d.obj.metadata.namespace, d.obj.metadata.name, { propagationPolicy: "Foreground" }); } catch { /* gone */ }
      }
    }
    if (this.dependents(owner.metadata.uid).length) { this.scheduler.after(20, () => this.foreground(rt, owner)); return; }
    const obj = clone(cur);
    obj.metadata.finalizers = (obj.metadata.finalizers ?? []).filter((f: string) => f !== "foregroundDeletion");
    if (obj.metadata.finalizers.length) this.store.put(rt, obj);
    else this.afterDelete(rt, this.store.remove(rt, obj.metadata.namespace, obj.metadata.name)!, "Background");
  }

  /** removes an object marked for deletion once nothing holds it any more */
  removeIfFinalized(rt: ResourceType, obj: KObj): void {
    if (!obj.metadata.deletionTimestamp || !finalized(rt, obj)) return;
    const gone = this.store.remove(rt, obj.metadata.namespace, obj.metadata.name);
    if (gone) this.afterDelete(rt, gone, "Background");
  }

  /** direct write used by controllers (status simulation): no admission, no managedFields */
  putStatus(rt: ResourceType, obj: KObj, status: KObj): void {
    const cur = this.store.get(rt, obj.metadata.namespace, obj.metadata.name);
    if (!cur || cur.metadata.uid !== obj.metadata.uid) return;
    if (deepEqual(cur.status, status)) return;
    this.store.put(rt, { ...cur, metadata: { ...cur.metadata }, status });
  }

  forbidden = forbidden;
}

function specChanged(rt: ResourceType, a: KObj, b: KObj): boolean {
  const strip = (o: KObj) => {
    const { metadata: _m, status, ...rest } = o;
    return rt.status ? rest : { ...rest, status };
  };
  return !deepEqual(strip(a), strip(b));
}

function stripRv(o: KObj): KObj {
  const m = { ...o.metadata };
  delete m.resourceVersion;
  if (Array.isArray(m.managedFields)) m.managedFields = m.managedFields.map((e: KObj) => ({ ...e, time: undefined }));
  return { ...o, metadata: m };
}
