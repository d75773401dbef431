import { applyOrder, type KubeObject } from "@gitfleet/shared";
import { idOf, type Kube } from "../kube/client.js";
import { keepLiveValue } from "../common/field-path.js";
import type { IgnoreRules } from "../common/ignore.js";
import { definingCrd, waitEstablished } from "./crd.js";
import { withOwnership } from "../common/labels.js";
import { hasHealthStatus } from "../health/object-health.js";
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
 * What this agent last applied per object: the desired content and what the server answered.
 * An object whose desired content did not change is not applied again: most of a commit is
 * unchanged. Changes made in the cluster are the drift detector's: a heal (and every resync or
 * retry) clears the memory, so those runs read and apply everything.
 */
export type ApplyMemory = Map<string, { desired: string; live: KubeObject }>;

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

/**
 * Server-side applies every object in apply order. A terminal error fails that object only;
 * a transient one stops the whole apply (retried). Kinds not served yet are a wait, naming them all.
 */
export async function applyAll(ctx: ApplyContext, objects: readonly KubeObject[]): Promise<AppliedObject[]> {
  const results: AppliedObject[] = [];
  const unserved = new Map<string, number>();
  for (const source of applyOrder(objects)) {
    const obj = withOwnership(source, ctx.app);
    try {
      await resolveNamespace(ctx, objects, obj);
      const refusal = outsideNamespaces(ctx, obj);
      if (refusal) {
        results.push({ obj, action: "failed", message: refusal });
        continue;
      }
      results.push(await applyOne(ctx, obj));
    } catch (err) {
      if (err instanceof KindNotServed) {
        unserved.set(err.kind, (unserved.get(err.kind) ?? 0) + 1);
        continue;
      }
      const outcome = classify(err);
      const message = `${describeObject(obj)}: ${errorMessage(err)}`;
      if (outcome === "wait") throw err;
      if (outcome === "transient") throw new TransientError(message, { cause: err });
      results.push({ obj, action: "failed", message, retry: causedByClusterState(err) });
    }
  }
  if (unserved.size) throw new WaitError(`the cluster does not serve ${[...unserved].map(([kind, n]) => `${kind} (${n} object${n > 1 ? "s" : ""})`).join(", ")}: install their CRDs, or add them to the App`);
  return results;
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

async function applyOne({ kube, ignore, memory, ownership }: ApplyContext, obj: KubeObject): Promise<AppliedObject> {
  const key = describeObject(obj) + "@" + obj.apiVersion;
  const desired = JSON.stringify(obj);
  const ignored = ignore?.paths(obj.apiVersion, obj.kind) ?? [];
  const last = ignored.length === 0 ? memory?.get(key) : undefined;
  let before: KubeObject | undefined;
  if (last?.desired === desired) {
    // Unchanged in Git. Objects whose health lives in their status are read fresh; the rest are not read at all.
    if (!hasHealthStatus(last.live)) return { obj, action: "unchanged", message: `${describeObject(obj)} unchanged`, live: last.live };
    before = await kube.get(idOf(obj));
    // Controllers rewrite status (and resourceVersion) all the time; a spec change by anyone bumps generation.
    if (before && before.metadata.generation === last.live.metadata.generation) {
      return { obj, action: "unchanged", message: `${describeObject(obj)} unchanged`, live: before };
    }
  } else {
    before = await kube.get(idOf(obj));
  }
  const refusal = ownership && (await ownershipRefusal(ownership, obj, before));
  if (refusal) return { obj, action: "failed", message: refusal, retry: true };
  if (before) for (const path of ignored) keepLiveValue(obj, before, path);
  const after = await kube.apply(obj);
  memory?.set(key, { desired, live: after });
  // The API server does not bump resourceVersion for an apply that changes nothing.
  const action: ApplyAction = !before ? "created" : before.metadata.resourceVersion === after.metadata.resourceVersion ? "unchanged" : "configured";
  return { obj, action, message: `${describeObject(obj)} ${action}`, live: after };
}
