// Field paths as drift reports and ignore rules spell them:
// spec.replicas, metadata.labels["a.b/c"], spec.template.spec.containers[name=main].image, args[0]

type Segment = { key: string } | { name: string } | { index: number };

const TOKEN = /\.?([A-Za-z0-9_-]+)|\["((?:[^"\\]|\\.)*)"\]|\[name=([^\]]+)\]|\[(\d+)\]/gy;

export function parsePath(path: string): Segment[] | undefined {
  const out: Segment[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < path.length) {
    const m = TOKEN.exec(path);
    if (!m) return undefined;
    if (m[1] !== undefined) out.push({ key: m[1] });
    else if (m[2] !== undefined) out.push({ key: JSON.parse(`"${m[2]}"`) as string });
    else if (m[3] !== undefined) out.push({ name: m[3] });
    else out.push({ index: Number(m[4]) });
  }
  return out;
}

type Container = Record<string, unknown> | unknown[];

function child(node: unknown, seg: Segment): unknown {
  if ("key" in seg) return isRecord(node) ? node[seg.key] : undefined;
  if (!Array.isArray(node)) return undefined;
  return "index" in seg ? node[seg.index] : node.find((x) => isRecord(x) && x.name === seg.name);
}

/**
 * Sets desired's value at path to live's (or removes it when live has none), so applying
 * desired leaves an ignored field as others set it. Paths desired does not reach are left alone.
 */
export function keepLiveValue(desired: Record<string, unknown>, live: Record<string, unknown>, path: string): void {
  const segs = parsePath(path);
  if (!segs?.length) return;
  let d: unknown = desired;
  let l: unknown = live;
  for (const seg of segs.slice(0, -1)) {
    d = child(d, seg);
    l = child(l, seg);
    if (d === undefined) return;
  }
  const last = segs[segs.length - 1]!;
  const value = child(l, last);
  const parent = d as Container;
  if ("key" in last && isRecord(parent)) {
    if (value === undefined) delete parent[last.key];
    else parent[last.key] = structuredClone(value);
  } else if ("index" in last && Array.isArray(parent) && value !== undefined) {
    parent[last.index] = structuredClone(value);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
