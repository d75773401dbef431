import { parseDuration } from "@gitfleet/shared";
import { SourceSpecError } from "./errors.js";
import { validRange } from "semver";

/** What to follow in a repository: exactly one of these. */
export type RevisionSelector =
  | { kind: "branch"; branch: string }
  | { kind: "tag"; tag: string }
  | { kind: "semver"; range: string }
  | { kind: "commit"; commit: string };

/** A Git repository and what to follow in it. */
export type GitSourceSpec = {
  type: "git";
  url: string;
  ref: RevisionSelector;
  intervalMs: number;
  secretRef?: { name: string };
  /** URL prefixes kustomize may fetch remote resources from when rendering this Source; none by default. */
  allowRemoteResources?: string[];
};

/** A chart in an HTTP Helm repository (index.yaml): the highest version satisfying version (an exact version or a semver range). */
export type HelmSourceSpec = { type: "helm"; url: string; chart: string; version: string; intervalMs: number };

export type SourceSpec = GitSourceSpec | HelmSourceSpec;

export const DEFAULT_INTERVAL_MS = 60_000;
const MIN_INTERVAL_MS = 1_000;
const FIELDS = new Set(["type", "url", "branch", "tag", "semver", "commit", "interval", "secretRef", "allowRemoteResources"]);
const HELM_FIELDS = new Set(["type", "url", "chart", "version", "interval"]);
// Helm chart names: letters, digits, "-", "_" and "." (what `helm create` and repositories use).
const CHART_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
// Plain https/http/ssh/git/file URLs, or scp-like "user@host:path".
const URL_RE = /^(?:(?:https?|ssh|git|file):\/\/\S+|[\w.-]+@[\w.-]+:\S+)$/;
// Conservative subset of git-check-ref-format: no leading "-" (option injection), "..", or "@{".
const REF_NAME_RE = /^(?!-)(?!.*\.\.)(?!.*@\{)(?!.*\/\/)[\w./+-]+(?<![./])$/;

export function checkUrl(url: unknown, field = "url"): string {
  if (typeof url !== "string" || !URL_RE.test(url)) {
    throw new SourceSpecError(field, "want an https://, ssh://, git://, file:// or user@host:path URL");
  }
  return url;
}

/** Validates the declarative Source shape; every error names the offending field. */
export function parseSourceSpec(input: unknown): SourceSpec {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new SourceSpecError("(root)", "want an object");
  }
  const obj = input as Record<string, unknown>;
  if (obj.type !== undefined && obj.type !== "git" && obj.type !== "helm") throw new SourceSpecError("type", 'want "git" (the default) or "helm"');
  if (obj.type === "helm") return parseHelmSpec(obj);
  const unknown = Object.keys(obj).find((k) => !FIELDS.has(k));
  if (unknown) throw new SourceSpecError(unknown, "unknown field");
  const spec: GitSourceSpec = {
    type: "git",
    url: checkUrl(obj.url),
    ref: parseSelector(obj),
    intervalMs: parseInterval(obj.interval),
  };
  if (obj.secretRef !== undefined) spec.secretRef = parseSecretRef(obj.secretRef);
  if (obj.allowRemoteResources !== undefined) spec.allowRemoteResources = parseAllowList(obj.allowRemoteResources);
  return spec;
}

function parseHelmSpec(obj: Record<string, unknown>): HelmSourceSpec {
  const unknown = Object.keys(obj).find((k) => !HELM_FIELDS.has(k));
  if (unknown) throw new SourceSpecError(unknown, `unknown field for a Helm repository (allowed: ${[...HELM_FIELDS].join(", ")})`);
  const url = obj.url;
  if (typeof url !== "string" || !/^https?:\/\/[^/\s?#]+(?:\/[^\s?#]*)?$/i.test(url)) throw new SourceSpecError("url", "want the http:// or https:// URL of a Helm repository (the directory of its index.yaml)");
  if (typeof obj.chart !== "string" || !CHART_NAME_RE.test(obj.chart)) throw new SourceSpecError("chart", "want a chart name (letters, digits, '-', '_', '.')");
  const version = obj.version ?? "*";
  if (typeof version !== "string" || !validRange(version)) throw new SourceSpecError("version", `want an exact chart version or a semver range (^1.2.0, ~1.4, >=1.0.0 <2.0.0, 1.x), got ${JSON.stringify(version)}`);
  return { type: "helm", url, chart: obj.chart, version, intervalMs: parseInterval(obj.interval) };
}

function parseSelector(obj: Record<string, unknown>): RevisionSelector {
  const given = (["branch", "tag", "semver", "commit"] as const).filter((k) => obj[k] !== undefined);
  if (given.length > 1) throw new SourceSpecError(given.join("/"), "set only one of branch, tag, semver, commit");
  const field = given[0] ?? "branch";
  const value = obj[field] ?? "main";
  if (typeof value !== "string" || value.trim() === "") throw new SourceSpecError(field, "want a non-empty string");
  switch (field) {
    case "branch":
    case "tag":
      if (!REF_NAME_RE.test(value)) throw new SourceSpecError(field, `"${value}" is not a valid ref name`);
      return field === "branch" ? { kind: "branch", branch: value } : { kind: "tag", tag: value };
    case "semver":
      if (!validRange(value)) throw new SourceSpecError(field, `invalid semver range "${value}" (npm syntax: ^1.2.0, ~1.4, >=1.0.0 <2.0.0, 1.x)`);
      return { kind: "semver", range: value };
    case "commit":
      if (!/^[0-9a-f]{4,40}$/i.test(value)) throw new SourceSpecError(field, "want a hex SHA of 4 to 40 digits");
      return { kind: "commit", commit: value.toLowerCase() };
  }
}

function parseInterval(value: unknown): number {
  if (value === undefined) return DEFAULT_INTERVAL_MS;
  if (typeof value !== "string") throw new SourceSpecError("interval", 'want a duration string such as "30s" or "5m"');
  let ms: number;
  try {
    ms = parseDuration(value, "interval");
  } catch (err) {
    throw new SourceSpecError("interval", (err as Error).message);
  }
  if (ms < MIN_INTERVAL_MS) throw new SourceSpecError("interval", "must be at least 1s");
  return ms;
}

function parseSecretRef(value: unknown): { name: string } {
  const name = (value as { name?: unknown } | null)?.name;
  if (typeof name !== "string" || name === "") throw new SourceSpecError("secretRef.name", "want a non-empty string");
  return { name };
}

// Whole prefixes with a scheme and host and a trailing "/", so "https://github.com/org" cannot also allow "https://github.com/org-evil".
function parseAllowList(value: unknown): string[] {
  if (!Array.isArray(value)) throw new SourceSpecError("allowRemoteResources", "want a list of URL prefixes");
  return value.map((v, i) => {
    if (typeof v !== "string" || !/^(?:https?|ssh|git):\/\/[^/\s]+\/\S*$/.test(v) || !v.endsWith("/")) {
      throw new SourceSpecError(`allowRemoteResources[${i}]`, 'want a URL prefix ending in "/", such as "https://github.com/my-org/"');
    }
    return v;
  });
}
