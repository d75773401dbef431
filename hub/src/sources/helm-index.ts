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
  let doc: unknown;
  try {
    doc = parse(indexYaml, { maxAliasCount: 100 });
  } catch (err) {
    throw new Error(`index.yaml is not YAML: ${(err as Error).message.split("\n")[0]}`);
  }
  if (!isMap(doc) || !isMap(doc.entries)) throw new Error("index.yaml has no entries: not a Helm repository index");
  const list = doc.entries[chart];
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
