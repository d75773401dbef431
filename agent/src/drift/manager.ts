import type { KubeObject } from "@gitfleet/shared";
import { FIELD_MANAGER } from "../kube/client.js";

// client-node turns `time` into a Date; objects from elsewhere keep the RFC 3339 string.
type ManagedFieldsEntry = { manager?: string; subresource?: string; time?: string | Date; fieldsV1?: Record<string, unknown> };

const millis = (t: string | Date | undefined) => (t === undefined ? 0 : new Date(t).getTime() || 0);

/**
 * Which field manager made the live change, when managedFields tell: the latest other manager
 * owning one of the fields, else the latest other manager that wrote the object at all.
 */
export function changedBy(live: KubeObject, fieldKeys: readonly string[][]): string {
  const entries = ((live.metadata.managedFields ?? []) as ManagedFieldsEntry[])
    .filter((e) => e.manager && e.manager !== FIELD_MANAGER && e.subresource !== "status")
    .sort((a, b) => millis(b.time) - millis(a.time));
  const owner = entries.find((e) => fieldKeys.some((keys) => owns(e.fieldsV1 ?? {}, keys)));
  return (owner ?? entries[0])?.manager ?? "";
}

function owns(fields: Record<string, unknown>, keys: readonly string[]): boolean {
  let node: Record<string, unknown> = fields;
  for (const key of keys) {
    const next = node[key];
    if (typeof next !== "object" || next === null) return false;
    node = next as Record<string, unknown>;
  }
  return keys.length > 0;
}
