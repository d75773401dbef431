// Field sets as structured-merge-diff models them: paths of f:/k:/v: elements; leaves, list items and atomic values are members.
import type { ResourceType } from "./kinds.js";
import { isAtomicMap, itemKey, listInfo } from "./schema.js";
import { deepEqual, isObj, type KObj } from "./util.js";

export type PE = string;
export interface Member { path: PE[]; value: unknown; leaf: boolean }
/** flat set: joined path -> member */
export type FieldSet = Map<string, Member>;

const SEP = "\u0001";
export const keyOf = (path: PE[]): string => path.join(SEP);

const META_IGNORED = new Set([
  "name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
  "deletionGracePeriodSeconds", "managedFields", "selfLink",
]);

/** Paths the field manager never tracks. */
export function ignored(rt: ResourceType, path: string[]): boolean {
  if (path.length === 1) return path[0] === "apiVersion" || path[0] === "kind" || (rt.status && path[0] === "status");
  return path.length === 2 && path[0] === "metadata" && META_IGNORED.has(path[1]!);
}

type Visit = (path: PE[], value: unknown, leaf: boolean) => void;

function walk(rt: ResourceType, value: unknown, pes: PE[], spath: string[], visit: Visit): void {
  if (isObj(value)) {
    if (pes.length > 0 && (isAtomicMap(rt, spath) || Object.keys(value).length === 0)) return visit(pes, value, true);
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      const sp = [...spath, k];
      if (ignored(rt, sp)) continue;
      walk(rt, v, [...pes, `f:${k}`], sp, visit);
    }
    return;
  }
  if (Array.isArray(value)) {
    const info = listInfo(rt, spath);
    if (info.type === "atomic") return visit(pes, value, true);
    for (const item of value) {
      if (info.type === "set") {
        visit([...pes, `v:${JSON.stringify(item)}`], item, true);
        continue;
      }
      const ip = [...pes, `k:${JSON.stringify(itemKey(info, item) ?? {})}`];
      visit(ip, item, false);
      walk(rt, item, ip, [...spath, "[]"], visit);
    }
    return;
  }
  if (pes.length > 0) visit(pes, value, true);
}

export function fieldSetOf(rt: ResourceType, obj: KObj): FieldSet {
  const out: FieldSet = new Map();
  walk(rt, obj, [], [], (path, value, leaf) => out.set(keyOf(path), { path, value, leaf }));
  return out;
}

export interface Comparison { added: FieldSet; removed: FieldSet; modified: FieldSet }

export function compare(a: FieldSet, b: FieldSet): Comparison {
  const added: FieldSet = new Map(), removed: FieldSet = new Map(), modified: FieldSet = new Map();
  for (const [k, m] of b) {
    const old = a.get(k);
    if (!old) added.set(k, m);
    else if ((m.leaf || old.leaf) && !deepEqual(old.value, m.value)) modified.set(k, m);
  }
  for (const [k, m] of a) if (!b.has(k)) removed.set(k, m);
  return { added, removed, modified };
}

/** Keeps only the given members (and what leads to them) of obj; untracked paths are kept as they are. */
export function extract(rt: ResourceType, obj: KObj, keep: Set<string>): KObj {
  const ancestors = new Set<string>();
  for (const k of keep) {
    const parts = k.split(SEP);
    for (let i = 1; i < parts.length; i++) ancestors.add(parts.slice(0, i).join(SEP));
  }
  const go = (value: unknown, pes: PE[], spath: string[]): unknown => {
    if (isObj(value)) {
      const out: KObj = {};
      for (const [k, v] of Object.entries(value)) {
        const sp = [...spath, k];
        if (ignored(rt, sp)) { out[k] = v; continue; }
        const ck = keyOf([...pes, `f:${k}`]);
        if (keep.has(ck) && !ancestors.has(ck)) out[k] = v;
        // metadata always stays: its name and namespace are untracked even when no tracked field is kept under it
        else if (ancestors.has(ck) || sp.join(".") === "metadata") out[k] = go(v, [...pes, `f:${k}`], sp);
      }
      return out;
    }
    if (Array.isArray(value)) {
      const info = listInfo(rt, spath);
      const out: unknown[] = [];
      for (const item of value) {
        const pe = info.type === "set" ? `v:${JSON.stringify(item)}` : `k:${JSON.stringify(itemKey(info, item) ?? {})}`;
        const ck = keyOf([...pes, pe]);
        if (keep.has(ck) && !ancestors.has(ck)) out.push(item);
        else if (ancestors.has(ck)) {
          const sub = go(item, [...pes, pe], [...spath, "[]"]) as KObj;
          for (const kf of info.keys ?? []) if (isObj(item) && item[kf] !== undefined) sub[kf] = item[kf];
          out.push(sub);
        }
      }
      return out;
    }
    return value;
  };
  return go(obj, [], []) as KObj;
}

export function toFieldsV1(set: Iterable<PE[]>): KObj {
  const root: KObj = {};
  const members: KObj[] = [];
  for (const path of set) {
    let node = root;
    for (const pe of path) node = node[pe] ??= {};
    members.push(node);
  }
  for (const m of members) if (Object.keys(m).length > 0) m["."] = {};
  const sort = (n: KObj): KObj => {
    const out: KObj = {};
    const keys = Object.keys(n).sort((x, y) => (x === "." ? -1 : y === "." ? 1 : x < y ? -1 : x > y ? 1 : 0));
    for (const k of keys) out[k] = sort(n[k]);
    return out;
  };
  return sort(root);
}

export function fromFieldsV1(tree: unknown): PE[][] {
  const out: PE[][] = [];
  const go = (node: unknown, prefix: PE[]): void => {
    if (!isObj(node)) return;
    for (const [k, child] of Object.entries(node)) {
      if (k === ".") continue;
      const p = [...prefix, k];
      if (!isObj(child) || Object.keys(child).length === 0 || "." in child) out.push(p);
      go(child, p);
    }
  };
  go(tree, []);
  return out;
}

/** `.spec.template.spec.containers[name="app"].image`, as structured-merge-diff prints a path. */
export function pathString(path: PE[]): string {
  return path.map((pe) => {
    const body = pe.slice(2);
    if (pe.startsWith("f:")) return `.${body}`;
    if (pe.startsWith("v:")) return `[=${body}]`;
    if (pe.startsWith("i:")) return `[${body}]`;
    const key = JSON.parse(body) as Record<string, unknown>;
    return `[${Object.entries(key).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(",")}]`;
  }).join("");
}
