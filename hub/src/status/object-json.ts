import type { ObjectResult } from "@gitfleet/shared";

/**
 * toJson(ObjectResultSchema, o), written out: the generic one (reflection per field) cost more than
 * the rest of storing a status with 50 objects. object-json.test.ts keeps the two equal, every field set or not.
 */
export function objectResultJson(o: ObjectResult): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (o.ref) {
    const ref: Record<string, string> = {};
    if (o.ref.apiVersion) ref.apiVersion = o.ref.apiVersion;
    if (o.ref.kind) ref.kind = o.ref.kind;
    if (o.ref.namespace) ref.namespace = o.ref.namespace;
    if (o.ref.name) ref.name = o.ref.name;
    out.ref = ref;
  }
  if (o.action) out.action = o.action;
  if (o.health) out.health = o.health;
  if (o.message) out.message = o.message;
  return out;
}

/** Whether objectResultJson writes the same for both (every field it writes compared). */
export function sameObjectResult(a: ObjectResult, b: ObjectResult): boolean {
  if (a.action !== b.action || a.health !== b.health || a.message !== b.message) return false;
  if (!a.ref || !b.ref) return a.ref === b.ref;
  return a.ref.apiVersion === b.ref.apiVersion && a.ref.kind === b.ref.kind && a.ref.namespace === b.ref.namespace && a.ref.name === b.ref.name;
}
