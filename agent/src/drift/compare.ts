import type { KubeObject } from "@gitfleet/shared";
import { idOf, type Kube } from "../kube/client.js";
import { diffObjects, type FieldDifference } from "./diff.js";
import type { IgnoreRules } from "../common/ignore.js";
import { changedBy } from "./manager.js";
import { redactSecretFields as redact } from "@gitfleet/shared";

export interface ObjectDrift {
  deleted: boolean;
  fields: FieldDifference[];
  manager: string;
}

/**
 * SSA semantics: a dry-run apply shows what the object would be after our apply; any
 * difference from the live object is a field we set that someone changed. Fields others own
 * and we do not set come out identical, so they are never drift. When the cached object still
 * holds every value we set (most watch events: status updates, our own applies), there is
 * nothing to compare and no request is made.
 */
export async function compareObject(kube: Kube, desired: KubeObject, ignore: IgnoreRules): Promise<ObjectDrift | undefined> {
  const cached = await kube.cache.get(idOf(desired));
  if (cached && !cached.metadata.deletionTimestamp && holds(cached, desired)) return undefined;
  // Read fresh: the cache may lag, and managedFields (who changed it) are not cached.
  const live = await kube.get(idOf(desired));
  if (!live || live.metadata.deletionTimestamp) return { deleted: true, fields: [], manager: "" };
  const after = await kube.apply(desired, { dryRun: true });
  const fields = redact(desired.kind, diffObjects(after, live).filter((f) => !ignore.matches(desired.apiVersion, desired.kind, f.path)));
  if (!fields.length) return undefined;
  return { deleted: false, fields, manager: changedBy(live, fields.map((f) => f.fieldKeys)) };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const named = (xs: unknown[]) => xs.every((x) => isObject(x) && typeof x.name === "string");

/**
 * Whether live has every value desired sets (extra fields are defaults or others'). Lists must
 * have the same length (an item someone added to a list we set is drift); named items match by
 * name. A false answer only means "compare properly": defaulting may spell a value differently.
 */
export function holds(live: unknown, desired: unknown): boolean {
  if (isObject(desired)) return isObject(live) && Object.entries(desired).every(([k, v]) => holds(live[k], v));
  if (Array.isArray(desired)) {
    if (!Array.isArray(live) || live.length !== desired.length) return false;
    if (named(desired) && named(live)) {
      const byName = new Map(live.map((x) => [(x as { name: string }).name, x]));
      return desired.every((d) => holds(byName.get((d as { name: string }).name), d));
    }
    return desired.every((d, i) => holds(live[i], d));
  }
  return live === desired;
}
