/** One field that differs: a display path, its FieldsV1 keys (for ownership lookup), and both values. */
export interface FieldDifference {
  path: string;
  /** managedFields keys down to this field; ends early where a list is matched by index. */
  fieldKeys: string[];
  desired: string;
  live: string;
}

// Written by the API server on every change; never drift.
const METADATA_NOISE = ["resourceVersion", "managedFields", "generation", "uid", "creationTimestamp", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds"];

export const ABSENT = "<absent>";

type Json = unknown;
const isObject = (v: Json): v is Record<string, Json> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The object without status and server-written metadata. */
export function withoutNoise(obj: Record<string, Json>): Record<string, Json> {
  const { status: _status, ...rest } = obj;
  if (!isObject(rest.metadata)) return rest;
  const metadata = { ...rest.metadata };
  for (const k of METADATA_NOISE) delete metadata[k];
  return { ...rest, metadata };
}

/**
 * Differences between what the object would be after our apply (a dry-run result) and what is
 * live. Lists of named items are matched by name so reordering or others' extra items line up.
 */
export function diffObjects(desired: Record<string, Json>, live: Record<string, Json>): FieldDifference[] {
  const out: FieldDifference[] = [];
  walk(withoutNoise(desired), withoutNoise(live), "", [], out);
  return out;
}

function walk(d: Json, l: Json, path: string, keys: string[], out: FieldDifference[]): void {
  if (isObject(d) && isObject(l)) {
    for (const k of new Set([...Object.keys(d), ...Object.keys(l)])) walk(d[k], l[k], joinKey(path, k), [...keys, `f:${k}`], out);
    return;
  }
  if (Array.isArray(d) && Array.isArray(l)) {
    if (named(d) && named(l)) {
      const byName = (xs: Json[]) => new Map(xs.map((x) => [(x as { name: string }).name, x]));
      const dm = byName(d);
      const lm = byName(l);
      for (const n of new Set([...dm.keys(), ...lm.keys()])) walk(dm.get(n), lm.get(n), `${path}[name=${n}]`, [...keys, `k:${JSON.stringify({ name: n })}`], out);
      return;
    }
    if (d.length === l.length) {
      d.forEach((x, i) => walk(x, l[i], `${path}[${i}]`, keys, out));
      return;
    }
  }
  if (!sameValue(d, l)) out.push({ path, fieldKeys: keys, desired: render(d), live: render(l) });
}

function joinKey(path: string, key: string): string {
  const part = /^[A-Za-z0-9_-]+$/.test(key) ? key : `[${JSON.stringify(key)}]`;
  return !path ? part : part.startsWith("[") ? path + part : `${path}.${part}`;
}

function named(xs: Json[]): boolean {
  return xs.length > 0 && xs.every((x) => isObject(x) && typeof x.name === "string");
}

function sameValue(a: Json, b: Json): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function render(v: Json): string {
  if (v === undefined) return ABSENT;
  return typeof v === "string" ? v : JSON.stringify(v);
}
