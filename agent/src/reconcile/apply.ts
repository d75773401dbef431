import { createHash } from "node:crypto";
import { apiGroup, applyOrder, type KubeObject } from "@gitfleet/shared";
import { FIELD_MANAGER, idOf, type Kube } from "../kube/client.js";
import { keepLiveValue } from "../common/field-path.js";
import type { IgnoreRules } from "../common/ignore.js";
import { definingCrd, waitEstablished } from "./crd.js";
import { withOwnership } from "../common/labels.js";
import { classify, errorMessage, TransientError, WaitError } from "./outcome.js";
import { ownershipRefusal, type OwnershipPolicy } from "./ownership.js";
import { describeObject } from "../common/object-ref.js";
import { statusCode } from "../kube/errors.js";

export type ApplyAction = "created" | "configured" | "unchanged" | "failed";

export interface AppliedObject {
  /** The object as applied: namespace resolved, ownership labels set. */
  obj: KubeObject;
  action: ApplyAction;
  message: string;
  /** A failure caused by the cluster's state (namespace missing, object owned by another App): another try may pass. */
  retry?: boolean;
  /** The object as the API server returned it, when it was read or written (health needs no second read). */
  live?: KubeObject;
}

/**
 * What this agent last applied per object: a digest of the desired content and the generation the
 * API server answered. An object whose desired content did not change is not applied again: most
 * of a commit is unchanged. Changes made in the cluster are the drift detector's: a heal (and every
 * resync or retry) clears the memory, so those runs apply everything.
 */
export type ApplyMemory = Map<string, { desired: string; generation?: number }>;

export interface ApplyContext {
  kube: Kube;
  app: string;
  /** When set, the only namespaces the agent may write to. */
  namespaces?: ReadonlySet<string>;
  /** Fields others may set (Assignment.ignoreFields): an existing object keeps its live values there. */
  ignore?: IgnoreRules;
  memory?: ApplyMemory;
  /** Which existing objects this App may take (see ownership.ts); undefined applies over anything. */
  ownership?: OwnershipPolicy;
}

/** A kind the cluster does not serve and no CRD in the bundle defines. */
class KindNotServed extends WaitError {
  override name = "KindNotServed";
  constructor(readonly kind: string) {
    super(`the cluster does not serve ${kind}`);
  }
}

/** Applies in flight at once within a wave: enough to hide round trips, few enough to spare the API server. */
const APPLY_CONCURRENCY = 8;

/** Namespaces and CRDs first (others need them), webhooks last (they may reject what follows until their backend runs), the rest in between. */
function wave(obj: KubeObject): number {
  const group = apiGroup(obj.apiVersion);
  if ((group === "" && obj.kind === "Namespace") || (group === "apiextensions.k8s.io" && obj.kind === "CustomResourceDefinition")) return 0;
  if (group === "admissionregistration.k8s.io" && obj.kind.endsWith("WebhookConfiguration")) return 2;
  return 1;
}

/**
 * Server-side applies every object, wave by wave, up to APPLY_CONCURRENCY at once within a wave;
 * results come back in apply order. A terminal error fails that object only; a transient one
 * stops the whole apply (retried). Kinds not served yet are a wait, naming them all.
 */
export async function applyAll(ctx: ApplyContext, objects: readonly KubeObject[]): Promise<AppliedObject[]> {
  const ordered = applyOrder(objects);
  const results: (AppliedObject | undefined)[] = [];
  const unserved = new Map<string, number>();
  let stop: unknown;
  for (const w of [0, 1, 2]) {
    const todo = ordered.flatMap((o, i) => (wave(o) === w ? [i] : []));
    await inParallel(todo, APPLY_CONCURRENCY, async (i) => {
      if (stop) return;
      const obj = withOwnership(ordered[i]!, ctx.app);
      try {
        await resolveNamespace(ctx, objects, obj);
        const refusal = outsideNamespaces(ctx, obj);
        results[i] = refusal ? { obj, action: "failed", message: refusal } : await applyOne(ctx, obj);
      } catch (err) {
        if (err instanceof KindNotServed) {
          unserved.set(err.kind, (unserved.get(err.kind) ?? 0) + 1);
          return;
        }
        const outcome = classify(err);
        const message = `${describeObject(obj)}: ${errorMessage(err)}`;
        if (outcome === "wait") stop ??= err;
        else if (outcome === "transient") stop ??= new TransientError(message, { cause: err });
        else results[i] = { obj, action: "failed", message, retry: causedByClusterState(err) };
      }
    });
    if (stop) throw stop;
  }
  if (unserved.size) throw new WaitError(`the cluster does not serve ${[...unserved].map(([kind, n]) => `${kind} (${n} object${n > 1 ? "s" : ""})`).join(", ")}: install their CRDs, or add them to the App`);
  return results.filter((r): r is AppliedObject => r !== undefined);
}

/**
 * Starts discovery and the cache's informers for every kind the bundle has, all at once, so the
 * apply does not wait for them one kind after another. Failures are left to the reads that follow.
 */
export function warmCache(kube: Kube, objects: readonly KubeObject[]): void {
  const scopes = new Map(objects.map((o) => [`${o.apiVersion}|${o.kind}|${o.metadata.namespace ?? ""}`, o]));
  for (const o of scopes.values()) kube.cache.ensure(o.apiVersion, o.kind, o.metadata.namespace).catch(() => undefined);
}

/** Runs fn on every item, at most `limit` at a time. */
async function inParallel<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/** Not found (a namespace that does not exist yet) and conflicts change with the cluster, not with Git. */
function causedByClusterState(err: unknown): boolean {
  const code = statusCode(err);
  return code === 404 || code === 409;
}

async function resolveNamespace(ctx: ApplyContext, objects: readonly KubeObject[], obj: KubeObject): Promise<void> {
  let namespaced = await ctx.kube.namespaced(obj.apiVersion, obj.kind);
  if (namespaced === undefined) {
    const crd = definingCrd(objects, obj);
    if (!crd) throw new KindNotServed(`${obj.apiVersion} ${obj.kind}`);
    namespaced = await waitEstablished(ctx.kube, crd, obj);
  }
  if (namespaced) obj.metadata.namespace ||= ctx.kube.defaultNamespace;
  else delete obj.metadata.namespace;
}

function outsideNamespaces(ctx: ApplyContext, obj: KubeObject): string | undefined {
  if (!ctx.namespaces) return undefined;
  const allowed = [...ctx.namespaces].join(",");
  const ns = obj.kind === "Namespace" ? obj.metadata.name : obj.metadata.namespace;
  if (ns === undefined) return `${describeObject(obj)} is cluster-scoped, outside the namespaces this agent may manage (${allowed})`;
  if (!ctx.namespaces.has(ns)) return `${describeObject(obj)} is in namespace "${ns}", outside the namespaces this agent may manage (${allowed})`;
  return undefined;
}

const digest = (text: string) => createHash("sha1").update(text).digest("base64");

async function applyOne({ kube, ignore, memory, ownership }: ApplyContext, obj: KubeObject): Promise<AppliedObject> {
  const key = describeObject(obj) + "@" + obj.apiVersion;
  const desired = digest(JSON.stringify(obj));
  const ignored = ignore?.paths(obj.apiVersion, obj.kind) ?? [];
  const last = ignored.length === 0 ? memory?.get(key) : undefined;
  // Everything this agent labelled is in the cache: reading it costs no request.
  let before = await kube.cache.get(idOf(obj));
  // Unchanged in Git, and nobody changed its spec since (controllers rewrite status, not generation).
  if (last?.desired === desired && before && before.metadata.generation === last.generation) {
    return { obj, action: "unchanged", message: `${describeObject(obj)} unchanged`, live: before };
  }
  // Not in the cache: absent, or made without our labels. Only takeover refusal and ignored fields need to know which.
  if (!before && (ignored.length || ownership?.refuseTakeover)) before = await kube.get(idOf(obj));
  const refusal = ownership && (await ownershipRefusal(ownership, obj, before));
  if (refusal) return { obj, action: "failed", message: refusal, retry: true };
  if (before) for (const path of ignored) keepLiveValue(obj, before, path);
  const after = await kube.apply(obj);
  memory?.set(key, { desired, generation: after.metadata.generation as number | undefined });
  // The API server does not bump resourceVersion for an apply that changes nothing.
  const action: ApplyAction = before ? (before.metadata.resourceVersion === after.metadata.resourceVersion ? "unchanged" : "configured") : madeByUs(after) ? "created" : "configured";
  return { obj, action, message: `${describeObject(obj)} ${action}`, live: after };
}

/** No other field manager ever wrote the object: the apply just created it. */
function madeByUs(live: KubeObject): boolean {
  return ((live.metadata.managedFields ?? []) as { manager?: string }[]).every((f) => f.manager === FIELD_MANAGER);
}
