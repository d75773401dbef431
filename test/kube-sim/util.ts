// Small helpers for JSON values.
export type KObj = Record<string, any>;

export const clone = <T>(v: T): T => (v === undefined ? v : JSON.parse(JSON.stringify(v)));

export function isObj(v: unknown): v is KObj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ka = Object.keys(a as KObj).filter((k) => (a as KObj)[k] !== undefined);
  const kb = Object.keys(b as KObj).filter((k) => (b as KObj)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => deepEqual((a as KObj)[k], (b as KObj)[k]));
}

/** Reads a simple JSONPath like `.spec.replicas` or `.status.conditions[?(@.type=="Ready")].status`. */
export function getPath(obj: unknown, path: string): unknown {
  const p = path.replace(/^\{|\}$/g, "").replace(/^\$/, "");
  const re = /\.([A-Za-z0-9_\-]+)|\[(\d+)\]|\[\?\(@\.([A-Za-z0-9_]+)==["']([^"']*)["']\)\]|\['([^']+)'\]/g;
  let cur: any = obj;
  let m: RegExpExecArray | null;
  while ((m = re.exec(p)) && cur !== undefined && cur !== null) {
    if (m[1] !== undefined) cur = cur[m[1]];
    else if (m[2] !== undefined) cur = Array.isArray(cur) ? cur[Number(m[2])] : undefined;
    else if (m[3] !== undefined) cur = Array.isArray(cur) ? cur.find((x: any) => String(x?.[m![3]!]) === m![4]) : undefined;
    else if (m[5] !== undefined) cur = cur[m[5]];
  }
  return cur;
}

export function setPath(obj: KObj, path: string, value: unknown): void {
  const parts = path.replace(/^\./, "").split(".");
  let cur = obj;
  for (const p of parts.slice(0, -1)) {
    if (!isObj(cur[p])) cur[p] = {};
    cur = cur[p];
  }
  cur[parts[parts.length - 1]!] = value;
}

export function randomSuffix(n = 5): string {
  const chars = "bcdfghjklmnpqrstvwxz2456789";
  let s = "";
  for (let i = 0; i < n; i++) s += chars[Math.floor(Math.random() * chars.length)];
  return s;
}

export function hashOf(v: unknown): string {
  // FNV-1a, enough for pod-template-hash style names
  const s = JSON.stringify(v);
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(36).slice(0, 10);
}

export const nowIso = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
