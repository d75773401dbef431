// JSON merge patch (RFC 7386), JSON patch (RFC 6902) and strategic merge patch for built-in kinds.
import { ApiError, badRequest } from "./errors.js";
import type { ResourceType } from "./kinds.js";
import { listInfo } from "./schema.js";
import { clone, deepEqual, isObj, type KObj } from "./util.js";

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return clone(patch);
  const out: KObj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function unescape(s: string): string {
  return s.replace(/~1/g, "/").replace(/~0/g, "~");
}

function parsePointer(p: string): string[] {
  if (p === "") return [];
  if (!p.startsWith("/")) throw badRequest(`invalid JSON pointer: ${p}`);
  return p.slice(1).split("/").map(unescape);
}

function locate(doc: unknown, parts: string[], op: string, path: string): { parent: any; key: string } {
  let cur: any = doc;
  for (const seg of parts.slice(0, -1)) {
    cur = Array.isArray(cur) ? cur[Number(seg)] : isObj(cur) ? cur[seg] : undefined;
    if (cur === undefined || cur === null) throw jsonPatchError(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
  }
  return { parent: cur, key: parts[parts.length - 1]! };
}

function jsonPatchError(msg: string): ApiError {
  return new ApiError(422, "Invalid", `the server rejected our request due to an error in our request`, { causes: [{ message: msg }] });
}

export function jsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw badRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
  let root: any = clone(doc);
  const get = (path: string): unknown => {
    const parts = parsePointer(path);
    let cur: any = root;
    for (const seg of parts) {
      cur = Array.isArray(cur) ? cur[seg === "-" ? cur.length : Number(seg)] : isObj(cur) ? cur[seg] : undefined;
      if (cur === undefined) throw jsonPatchError(`doc is missing path: "${path}": missing value`);
    }
    return cur;
  };
  const remove = (path: string): unknown => {
    const parts = parsePointer(path);
    const { parent, key } = locate(root, parts, "remove", path);
    if (Array.isArray(parent)) {
      const i = Number(key);
      if (!(i >= 0 && i < parent.length)) throw jsonPatchError(`remove operation does not apply: doc is missing path: "${path}": missing value`);
      return parent.splice(i, 1)[0];
    }
    if (!isObj(parent) || !(key in parent)) throw jsonPatchError(`remove operation does not apply: doc is missing path: "${path}": missing value`);
    const v = parent[key];
    delete parent[key];
    return v;
  };
  const add = (path: string, value: unknown, op = "add"): void => {
    const parts = parsePointer(path);
    if (parts.length === 0) { root = clone(value); return; }
    const { parent, key } = locate(root, parts, op, path);
    if (Array.isArray(parent)) {
      const i = key === "-" ? parent.length : Number(key);
      if (!(i >= 0 && i <= parent.length)) throw jsonPatchError(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
      if (op === "replace") parent[i] = clone(value);
      else parent.splice(i, 0, clone(value));
    } else if (isObj(parent)) {
      if (op === "replace" && !(key in parent)) throw jsonPatchError(`replace operation does not apply: doc is missing key: ${path}: missing value`);
      parent[key] = clone(value);
    } else throw jsonPatchError(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
  };
  for (const o of ops as KObj[]) {
    switch (o.op) {
      case "add": add(o.path, o.value); break;
      case "remove": remove(o.path); break;
      case "replace": add(o.path, o.value, "replace"); break;
      case "move": { const v = remove(o.from); add(o.path, v); break; }
      case "copy": add(o.path, clone(get(o.from))); break;
      case "test":
        if (!deepEqual(get(o.path), o.value)) throw jsonPatchError(`testing value ${o.path} failed: test failed`);
        break;
      default: throw badRequest(`Unexpected kind: ${o.op}`);
    }
  }
  return root;
}

/** Strategic merge patch: lists with a patch merge key merge by it; directives $patch, $retainKeys, $deleteFromPrimitiveList, $setElementOrder. */
export function strategicMerge(rt: ResourceType, target: unknown, patch: unknown, spath: string[] = []): unknown {
  if (!isObj(patch)) return clone(patch);
  if (patch.$patch === "replace") { const p = { ...patch }; delete p.$patch; return stripDirectives(p); }
  if (patch.$patch === "delete") return undefined;
  const out: KObj = isObj(target) ? { ...target } : {};
  const retain = patch.$retainKeys as string[] | undefined;
  for (const [k, v] of Object.entries(patch)) {
    if (k === "$patch" || k === "$retainKeys") continue;
    if (k.startsWith("$setElementOrder/")) continue;
    if (k.startsWith("$deleteFromPrimitiveList/")) {
      const f = k.slice("$deleteFromPrimitiveList/".length);
      if (Array.isArray(out[f])) out[f] = out[f].filter((x: unknown) => !(v as unknown[]).some((y) => deepEqual(x, y)));
      continue;
    }
    const sp = [...spath, k];
    if (v === null) { delete out[k]; continue; }
    if (Array.isArray(v)) { out[k] = mergeList(rt, out[k], v, sp); continue; }
    if (isObj(v)) {
      const r = strategicMerge(rt, out[k], v, sp);
      if (r === undefined) delete out[k];
      else out[k] = r;
      continue;
    }
    out[k] = v;
  }
  if (retain) for (const k of Object.keys(out)) if (!retain.includes(k)) delete out[k];
  return out;
}

function mergeList(rt: ResourceType, target: unknown, patch: unknown[], spath: string[]): unknown[] {
  const info = listInfo(rt, spath);
  const cur = Array.isArray(target) ? target : [];
  if (info.smpMergePrimitives) return [...cur, ...patch.filter((x) => !cur.some((y) => deepEqual(x, y)))];
  const key = info.smpKey;
  if (!key) {
    if (patch.some((x) => isObj(x) && x.$patch === "replace")) return patch.filter((x) => !(isObj(x) && x.$patch)).map(stripDirectives);
    return patch.map(stripDirectives);
  }
  if (patch.some((x) => isObj(x) && x.$patch === "replace")) return patch.filter((x) => !(isObj(x) && x.$patch === "replace")).map(stripDirectives);
  const out = [...cur];
  for (const item of patch) {
    if (!isObj(item)) continue;
    const idx = out.findIndex((x) => isObj(x) && deepEqual(x[key], item[key]));
    if (item.$patch === "delete") { if (idx >= 0) out.splice(idx, 1); continue; }
    if (idx >= 0) out[idx] = strategicMerge(rt, out[idx], item, [...spath, "[]"]);
    else out.push(stripDirectives(item));
  }
  return out;
}

function stripDirectives(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripDirectives);
  if (!isObj(v)) return v;
  const out: KObj = {};
  for (const [k, x] of Object.entries(v)) if (!k.startsWith("$")) out[k] = stripDirectives(x);
  return out;
}
