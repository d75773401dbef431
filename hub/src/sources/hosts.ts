// --source-hosts: which hosts Sources (Git and Helm repositories) may fetch from, so whoever can
// apply a Source cannot make the hub send requests into internal addresses (SSRF).
import { SourceFetchError } from "./errors.js";
import type { SourceSpec } from "./spec.js";

/** Host names (case-insensitive), "*.example.com" for its subdomains, IP addresses; undefined: any host. */
export type SourceHosts = readonly string[] | undefined;

export class SourceHostError extends SourceFetchError {
  override name = "SourceHostError";
  constructor(source: string, url: string, readonly host: string, reason: string) {
    super(source, url, reason);
  }
}

/** Parses the flag's comma-separated list; each entry names a host, never a scheme, port or path. */
export function parseSourceHosts(list: string, flag = "--source-hosts"): string[] {
  const hosts = list.split(",").map((h) => h.trim().toLowerCase()).filter(Boolean);
  const bad = hosts.find((h) => !/^(?:\*\.)?[a-z0-9_.-]+$|^\[?[0-9a-f:.]+\]?$/.test(h));
  if (bad !== undefined || hosts.length === 0) throw new Error(`${flag}: want comma-separated host names ("github.com,*.corp.example,127.0.0.1"), got ${JSON.stringify(bad ?? list)}`);
  return hosts.map(bare);
}

/** The host a Source URL makes the hub connect to: scheme URLs and scp-like "user@host:path"; "" for file://. */
export function urlHost(url: string): string {
  const scp = /^[\w.-]+@([\w.-]+):/.exec(url);
  if (scp && !url.includes("://")) return scp[1]!.toLowerCase();
  return bare(new URL(url).hostname.toLowerCase());
}

/** Why the hub may not fetch from the URL's host, naming the host and the flag; undefined when it may. */
export function hostRefusal(allowed: SourceHosts, url: string): string | undefined {
  if (!allowed) return undefined;
  const host = urlHost(url);
  if (host && allowed.some((a) => (a.startsWith("*.") ? host.endsWith(a.slice(1)) : host === a))) return undefined;
  return host ? `host "${host}" is not in the hub's --source-hosts` : "a URL without a host (file://) is refused when the hub has --source-hosts";
}

/** Throws a SourceHostError naming the Source and host unless the hub allows the URL's host. */
export function checkSourceHost(allowed: SourceHosts, source: string, url: string): void {
  const refused = hostRefusal(allowed, url);
  if (refused) throw new SourceHostError(source, url, urlHost(url), refused);
}

/** Every URL a Source makes the hub reach, by the field that holds it: the repository, and remote kustomize resources it allows. */
export function sourceUrls(spec: SourceSpec): { field: string; url: string }[] {
  const remote = spec.type === "git" ? (spec.allowRemoteResources ?? []) : [];
  return [{ field: "spec.url", url: spec.url }, ...remote.map((url, i) => ({ field: `spec.allowRemoteResources[${i}]`, url }))];
}

const bare = (host: string) => host.replace(/^\[(.*)\]$/, "$1");
