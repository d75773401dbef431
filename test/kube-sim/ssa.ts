// Server-side apply and managedFields bookkeeping, after structured-merge-diff's Updater (Apply / Update / prune).
import { ApiError } from "./errors.js";
import { compare, extract, fieldSetOf, fromFieldsV1, keyOf, pathString, toFieldsV1, type FieldSet, type PE } from "./fieldset.js";
import type { ResourceType } from "./kinds.js";
import { isAtomicMap, itemKey, listInfo } from "./schema.js";
import { clone, deepEqual, isObj, nowIso, type KObj } from "./util.js";

interface Manager {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  time?: string;
  subresource?: string;
  paths: Map<string, PE[]>;
}

const idOf = (m: { manager: string; operation: string; apiVersion: string; subresource?: string }): string =>
  m.operation === "Apply" ? `${m.manager}\0Apply\0${m.subresource ?? ""}` : `${m.manager}\0Update\0${m.apiVersion}\0${m.subresource ?? ""}`;

function decode(obj: KObj | undefined): Map<string, Manager> {
  const out = new Map<string, Manager>();
  for (const e of (obj?.metadata?.managedFields ?? []) as KObj[]) {
    if (!e?.manager && !e?.operation) continue;
    const paths = new Map<string, PE[]>();
    for (const p of fromFieldsV1(e.fieldsV1)) paths.set(keyOf(p), p);
    const m: Manager = { manager: e.manager ?? "", operation: e.operation, apiVersion: e.apiVersion, time: e.time, subresource: e.subresource, paths };
    out.set(idOf(m), m);
  }
  return out;
}

function encode(managers: Map<string, Manager>): KObj[] {
  const out: KObj[] = [];
  for (const m of managers.values()) {
    if (m.paths.size === 0) continue;
    const e: KObj = { manager: m.manager, operation: m.operation, apiVersion: m.apiVersion, time: m.time ?? nowIso(), fieldsType: "FieldsV1", fieldsV1: toFieldsV1(m.paths.values()) };
    if (m.subresource) e.subresource = m.subresource;
    out.push(e);
  }
  return out;
}

function minus(m: Manager, drop: FieldSet | Set<string>): boolean {
  let changed = false;
  for (const k of drop.keys()) if (m.paths.delete(k)) changed = true;
  return changed;
}

/** Merges an applied configuration into the live object (maps granular, associative lists by key, atomics replaced). */
export function mergeApplied(rt: ResourceType, live: unknown, cfg: unknown, spath: string[] = []): unknown {
  if (isObj(cfg) && isObj(live) && !(spath.length > 0 && isAtomicMap(rt, spath))) {
    const out: KObj = { ...live };
    for (const [k, v] of Object.entries(cfg)) {
      if (v === null) { delete out[k]; continue; }
      out[k] = mergeApplied(rt, live[k], v, [...spath, k]);
    }
    return out;
  }
  if (Array.isArray(cfg) && Array.isArray(live)) {
    const info = listInfo(rt, spath);
    if (info.type === "atomic") return clone(cfg);
    if (info.type === "set") return [...live, ...cfg.filter((x) => !live.some((y) => deepEqual(x, y)))];
    const k = (x: unknown) => JSON.stringify(itemKey(info, x));
    const cfgByKey = new Map(cfg.map((x) => [k(x), x]));
    const out = live.map((x) => (cfgByKey.has(k(x)) ? mergeApplied(rt, x, cfgByKey.get(k(x)), [...spath, "[]"]) : x));
    const liveKeys = new Set(live.map(k));
    for (const x of cfg) if (!liveKeys.has(k(x))) out.push(clone(x));
    return out;
  }
  return clone(cfg);
}

export interface ApplyInput {
  rt: ResourceType;
  live: KObj | undefined;
  config: KObj;
  manager: string;
  force: boolean;
  apiVersion: string;
  subresource?: string;
  /** conflicts taken over without force (kubectl's client-side apply upgrade) */
  allowedConflicts?: Set<string>;
}

/** Server-side apply: returns the new object with managedFields set, or throws a 409 naming conflicting managers. */
export function apply(inp: ApplyInput): KObj {
  const { rt, manager, apiVersion } = inp;
  const live = inp.live ?? { apiVersion: inp.config.apiVersion, kind: inp.config.kind, metadata: {} };
  const config = clone(inp.config);
  if (rt.status && !inp.subresource) delete config.status;
  const merged = mergeApplied(rt, live, config) as KObj;
  const managers = decode(live);
  const self: Manager = { manager, operation: "Apply", apiVersion, subresource: inp.subresource, paths: new Map() };
  const selfId = idOf(self);
  const last = managers.get(selfId);
  for (const [k, m] of fieldSetOf(rt, config)) self.paths.set(k, m.path);
  const prev = last?.paths;
  self.time = prev && sameKeys(prev, self.paths) ? last?.time : nowIso();
  managers.set(selfId, self);

  // prune: fields this manager applied last time, no longer applies, and nobody else owns
  let result = merged;
  if (last && last.paths.size > 0) {
    const owned = new Set<string>();
    for (const m of managers.values()) for (const k of m.paths.keys()) owned.add(k);
    const keep = new Set<string>();
    for (const k of fieldSetOf(rt, merged).keys()) if (!last.paths.has(k) || owned.has(k)) keep.add(k);
    result = extract(rt, merged, keep);
  }

  const cmp = compare(fieldSetOf(rt, live), fieldSetOf(rt, result));
  const conflicts: Array<{ m: Manager; path: PE[] }> = [];
  for (const [id, m] of managers) {
    if (id === selfId) continue;
    for (const k of m.paths.keys()) {
      const c = cmp.modified.get(k) ?? cmp.added.get(k);
      if (c) conflicts.push({ m, path: c.path });
    }
  }
  if (conflicts.length && !inp.force && !conflicts.every(({ path }) => inp.allowedConflicts?.has(keyOf(path)))) {
    throw conflictError(conflicts.filter(({ path }) => !inp.allowedConflicts?.has(keyOf(path))));
  }
  for (const { m, path } of conflicts) if (m.paths.delete(keyOf(path))) m.time = nowIso();
  for (const [id, m] of managers) if (id !== selfId && minus(m, cmp.removed)) m.time = nowIso();
  result.metadata = { ...(result.metadata ?? {}), managedFields: encode(managers) };
  return result;
}

function sameKeys(a: Map<string, unknown>, b: Map<string, unknown>): boolean {
  if (a.size !== b.size) return false;
  for (const k of a.keys()) if (!b.has(k)) return false;
  return true;
}

function conflictError(conflicts: Array<{ m: Manager; path: PE[] }>): ApiError {
  const who = (m: Manager) => {
    let s = JSON.stringify(m.manager);
    if (m.subresource) s += ` with subresource ${JSON.stringify(m.subresource)}`;
    return m.operation === "Update" ? `${s} using ${m.apiVersion}` : s;
  };
  const causes = conflicts.map(({ m, path }) => ({ type: "FieldManagerConflict", message: `conflict with ${who(m)}`, field: pathString(path) }));
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${who(conflicts[0]!.m)}: ${pathString(conflicts[0]!.path)}`;
  } else {
    const byMgr = new Map<string, string[]>();
    for (const { m, path } of conflicts) byMgr.set(who(m), [...(byMgr.get(who(m)) ?? []), pathString(path)]);
    const lines: string[] = [];
    for (const w of [...byMgr.keys()].sort()) {
      lines.push(`conflicts with ${w}:`);
      for (const p of byMgr.get(w)!) lines.push(`- ${p}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join("\n")}`;
  }
  return new ApiError(409, "Conflict", message, { causes });
}

export interface UpdateInput { rt: ResourceType; old: KObj | undefined; next: KObj; manager: string; apiVersion: string; subresource?: string }

/** Records a non-apply write (create, update, patch): the writer takes over every field it changed. */
export function trackUpdate(inp: UpdateInput): KObj {
  const { rt, old, next } = inp;
  const sent = next.metadata?.managedFields;
  const before = old?.metadata?.managedFields;
  if (Array.isArray(sent) && !deepEqual(sent, before ?? [])) {
    // the client set managedFields itself: honour them (an empty list clears them)
    return next;
  }
  const managers = decode(old);
  const cmp = compare(old ? fieldSetOf(rt, old) : new Map(), fieldSetOf(rt, next));
  const self: Manager = { manager: inp.manager, operation: "Update", apiVersion: inp.apiVersion, subresource: inp.subresource, paths: new Map() };
  const selfId = idOf(self);
  const mine = managers.get(selfId) ?? self;
  managers.set(selfId, mine);
  for (const [id, m] of managers) {
    if (id === selfId) continue;
    let changed = minus(m, cmp.removed);
    for (const k of [...cmp.modified.keys(), ...cmp.added.keys()]) if (m.paths.delete(k)) changed = true;
    if (changed) m.time = nowIso();
  }
  minus(mine, cmp.removed);
  const grew = cmp.modified.size + cmp.added.size > 0;
  for (const c of [...cmp.modified.values(), ...cmp.added.values()]) mine.paths.set(keyOf(c.path), c.path);
  if (grew || !mine.time) mine.time = nowIso();
  return { ...next, metadata: { ...(next.metadata ?? {}), managedFields: encode(managers) } };
}
