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
 * and we do not set come out identical, so they are never drift.
 */
export async function compareObject(kube: Kube, desired: KubeObject, ignore: IgnoreRules): Promise<ObjectDrift | undefined> {
  const live = await kube.get(idOf(desired));
  if (!live || live.metadata.deletionTimestamp) return { deleted: true, fields: [], manager: "" };
  const after = await kube.apply(desired, { dryRun: true });
  const fields = redact(desired.kind, diffObjects(after, live).filter((f) => !ignore.matches(desired.apiVersion, desired.kind, f.path)));
  if (!fields.length) return undefined;
  return { deleted: false, fields, manager: changedBy(live, fields.map((f) => f.fieldKeys)) };
}
