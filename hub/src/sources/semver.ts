/**
 * The small part of semver that tag selection needs: versions with an optional leading "v",
 * and ranges made of comparators (>=1.0.0 <2.0.0), caret, tilde, x-ranges and exact versions,
 * joined by "||". Prereleases match only a range that names a prerelease of the same
 * major.minor.patch, as in npm.
 */
export type Version = { major: number; minor: number; patch: number; pre: string[] };
type Op = ">" | ">=" | "<" | "<=" | "=";
type Comparator = { op: Op; v: Version };
export type Range = Comparator[][];

const VERSION_RE = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;
const PARTIAL_RE = /^v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(?:-([0-9A-Za-z.-]+))?$/;

export function parseVersion(text: string): Version | undefined {
  const m = VERSION_RE.exec(text.trim());
  if (!m) return undefined;
  return { major: +m[1]!, minor: +m[2]!, patch: +m[3]!, pre: m[4] ? m[4].split(".") : [] };
}

export function compareVersions(a: Version, b: Version): number {
  const d = a.major - b.major || a.minor - b.minor || a.patch - b.patch;
  if (d !== 0) return d;
  if (!a.pre.length || !b.pre.length) return b.pre.length - a.pre.length;
  for (let i = 0; i < Math.max(a.pre.length, b.pre.length); i++) {
    const x = a.pre[i], y = b.pre[i];
    if (x === undefined || y === undefined) return x === undefined ? -1 : 1;
    const nx = /^\d+$/.test(x), ny = /^\d+$/.test(y);
    if (nx && ny && +x !== +y) return +x - +y;
    if (nx !== ny) return nx ? -1 : 1;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

export function parseRange(text: string): Range {
  const sets = text.split("||").map((part) => part.trim().split(/\s+/).filter(Boolean));
  if (sets.some((s) => s.length === 0)) throw new Error(`invalid semver range "${text}"`);
  return sets.map((set) => set.flatMap((token) => parseComparator(token, text)));
}

export function satisfies(v: Version, range: Range): boolean {
  return range.some((set) => set.every((c) => test(c, v)) && (!v.pre.length || set.some((c) =>
    c.v.pre.length > 0 && c.v.major === v.major && c.v.minor === v.minor && c.v.patch === v.patch)));
}

/** The highest tag satisfying the range; tags that are not semver are ignored. */
export function maxSatisfying(tags: readonly string[], rangeText: string): string | undefined {
  const range = parseRange(rangeText);
  let best: { tag: string; v: Version } | undefined;
  for (const tag of [...tags].sort()) {
    const v = parseVersion(tag);
    if (v && satisfies(v, range) && (!best || compareVersions(v, best.v) > 0)) best = { tag, v };
  }
  return best?.tag;
}

function test({ op, v }: Comparator, x: Version): boolean {
  const d = compareVersions(x, v);
  return op === ">" ? d > 0 : op === ">=" ? d >= 0 : op === "<" ? d < 0 : op === "<=" ? d <= 0 : d === 0;
}

function parseComparator(token: string, whole: string): Comparator[] {
  const m = /^(\^|~|>=|<=|>|<|=)?(.+)$/.exec(token)!;
  const op = m[1] ?? "";
  const p = PARTIAL_RE.exec(m[2]!);
  if (!p) throw new Error(`invalid semver range "${whole}": cannot parse "${token}"`);
  const nums = [p[1], p[2], p[3]].map((s) => (s === undefined || /[xX*]/.test(s) ? undefined : +s));
  const given = nums.findIndex((n) => n === undefined);
  const n = given < 0 ? 3 : given; // count of leading numeric parts
  const [M = 0, mi = 0, pa = 0] = nums;
  const pre = p[4] && n === 3 ? p[4].split(".") : [];
  const ver = (a: number, b: number, c: number, pr: string[] = []): Version => ({ major: a, minor: b, patch: c, pre: pr });
  const lo = ver(M, mi, pa, pre);
  // Exclusive upper bound of the x-range made by the given parts.
  const bump = n === 1 ? ver(M + 1, 0, 0) : n === 2 ? ver(M, mi + 1, 0) : ver(M, mi, pa + 1);
  if (n === 0) return op === "<" || op === ">" ? [{ op: "<", v: ver(0, 0, 0) }] : [];
  switch (op) {
    case "^": {
      const hi = M > 0 || n === 1 ? ver(M + 1, 0, 0) : mi > 0 || n === 2 ? ver(0, mi + 1, 0) : ver(0, 0, pa + 1);
      return [{ op: ">=", v: lo }, { op: "<", v: hi }];
    }
    case "~":
      return [{ op: ">=", v: lo }, { op: "<", v: n === 1 ? bump : ver(M, mi + 1, 0) }];
    case ">=": case "<":
      return [{ op, v: lo }];
    case ">":
      return n === 3 ? [{ op, v: lo }] : [{ op: ">=", v: bump }];
    case "<=":
      return n === 3 ? [{ op, v: lo }] : [{ op: "<", v: bump }];
    default:
      return n === 3 ? [{ op: "=", v: lo }] : [{ op: ">=", v: lo }, { op: "<", v: bump }];
  }
}
