// A Helm repository's index.yaml: which versions of a chart it has, and which one a Source follows.
import { parse } from "yaml";
import { maxSatisfying, rcompare, valid } from "semver";
import { ChartVersionNotFoundError } from "./errors.js";

/** One version of a chart as index.yaml lists it; digest is the archive's sha256 in hex, when the index gives one. */
export type ChartVersion = { version: string; urls: string[]; digest?: string; created?: Date; description: string; appVersion: string; maintainers: string[] };

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const text = (v: unknown): string => (typeof v === "string" ? v : typeof v === "number" ? String(v) : "");

/**
 * The versions of chart in an index.yaml (none when the chart is not there). Throws an Error saying
 * what is wrong when the text is no Helm repository index. Entries without a SemVer version or a URL
 * are skipped: helm cannot install them either.
 */
export function chartVersions(indexYaml: string, chart: string): ChartVersion[] {
  const list = chartEntries(indexYaml, chart);
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new Error(`index.yaml: entries.${chart} is not a list`);
  const out: ChartVersion[] = [];
  const seen = new Set<string>();
  for (const e of list) {
    if (!isMap(e)) continue;
    const version = text(e.version);
    const urls = Array.isArray(e.urls) ? e.urls.filter((u): u is string => typeof u === "string" && u !== "") : [];
    if (!valid(version) || urls.length === 0 || seen.has(version)) continue;
    seen.add(version);
    const created = typeof e.created === "string" || e.created instanceof Date ? new Date(e.created) : undefined;
    const maintainers = Array.isArray(e.maintainers) ? e.maintainers.flatMap((m) => (isMap(m) && text(m.name) ? [text(m.email) ? `${text(m.name)} <${text(m.email)}>` : text(m.name)] : [])) : [];
    out.push({
      version,
      urls,
      ...(text(e.digest) ? { digest: text(e.digest).replace(/^sha256:/i, "").toLowerCase() } : {}),
      ...(created && !Number.isNaN(created.getTime()) ? { created } : {}),
      description: text(e.description),
      appVersion: text(e.appVersion),
      maintainers,
    });
  }
  return out;
}

/**
 * entries[chart] of an index. A large public repository's index.yaml holds tens of thousands of
 * versions and takes the yaml parser many seconds, so the chart's block is cut out of the block
 * YAML helm writes and parsed alone; JSON is parsed as JSON, anything else whole.
 */
function chartEntries(index: string, chart: string): unknown {
  let doc: unknown;
  try {
    if (/^\s*\{/.test(index)) doc = JSON.parse(index);
    else {
      const block = chartBlock(index, chart);
      if (block === null) return undefined;
      doc = parse(block ?? index, { maxAliasCount: 100 });
      if (block !== undefined) return (doc as { entries: Record<string, unknown> }).entries[chart];
    }
  } catch (err) {
    throw new Error(`index.yaml is not ${/^\s*\{/.test(index) ? "JSON" : "YAML"}: ${(err as Error).message.split("\n")[0]}`);
  }
  if (!isMap(doc) || !isMap(doc.entries)) throw new Error("index.yaml has no entries: not a Helm repository index");
  return doc.entries[chart];
}

/**
 * "entries:\n  CHART:\n  - …" cut from block YAML: null when the chart's key is not among the
 * entries, undefined when the text has another shape (flow style, odd indentation): parse it whole.
 */
function chartBlock(index: string, chart: string): string | null | undefined {
  const lines = index.split("\n");
  const start = lines.findIndex((l) => /^entries:\s*$/.test(l));
  if (start < 0) return undefined;
  let indent = -1;
  let from = -1;
  let to = lines.length;
  for (let i = start + 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (/^\s*(?:#.*)?$/.test(l)) continue;
    const at = l.length - l.trimStart().length;
    if (at === 0) {
      to = i;
      break;
    }
    if (indent < 0) indent = at;
    if (at < indent) return undefined;
    if (at > indent || l.startsWith("- ", at)) continue;
    const key = /^\s*(?:"([^"\\]*)"|'([^']*)'|([^\s"'#{[][^:#]*?))\s*:\s*$/.exec(l);
    if (!key) return undefined;
    if (from >= 0) {
      to = i;
      break;
    }
    if ((key[1] ?? key[2] ?? key[3]) === chart) from = i;
  }
  return from < 0 ? null : `entries:\n${lines.slice(from, to).join("\n")}\n`;
}

/** Newest first, at most 20 shown: what an error lists as available. */
function listed(versions: readonly ChartVersion[]): string[] {
  const sorted = versions.map((v) => v.version).sort(rcompare);
  return sorted.length > 20 ? [...sorted.slice(0, 20), `… (${sorted.length - 20} more)`] : sorted;
}

/** The highest version satisfying range (an exact version is a range too); ChartVersionNotFoundError lists what there is. */
export function pickVersion(source: string, chart: string, versions: readonly ChartVersion[], range: string): ChartVersion {
  const best = maxSatisfying(versions.map((v) => v.version), range);
  const found = best === null ? undefined : versions.find((v) => v.version === best);
  if (!found) throw new ChartVersionNotFoundError(source, chart, range, listed(versions));
  return found;
}

/**
 * Where to download a version: its first URL, resolved against the repository URL like helm does.
 * undefined when that leaves the repository (another host or path): only the configured URL is fetched.
 */
export function chartUrl(repoUrl: string, v: ChartVersion): string | undefined {
  const base = new URL(repoUrl.endsWith("/") ? repoUrl : `${repoUrl}/`);
  const url = new URL(v.urls[0]!, base);
  return url.origin === base.origin && url.pathname.startsWith(base.pathname) && !url.username && !url.password ? url.toString() : undefined;
}

/** The URL of the repository's index.yaml. */
export function indexUrl(repoUrl: string): string {
  return new URL("index.yaml", repoUrl.endsWith("/") ? repoUrl : `${repoUrl}/`).toString();
}

/** A chart Source's revision: the version and the first 12 hex digits of the archive's sha256 (a version republished with other content is a new revision). */
export function chartRevision(version: string, digest: string): string {
  return `${version}@sha256:${digest.slice(0, 12)}`;
}

export function parseChartRevision(revision: string): { version: string; digest: string } | undefined {
  const m = /^(.+)@sha256:([0-9a-f]{12})$/.exec(revision);
  return m && valid(m[1]!) ? { version: m[1]!, digest: m[2]! } : undefined;
}
