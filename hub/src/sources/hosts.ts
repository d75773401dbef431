// --source-hosts: which hosts Sources (Git and Helm repositories) may fetch from, so whoever can
// apply a Source cannot make the hub send requests into internal addresses (SSRF).
import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";
import type { Logger } from "pino";
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
function sourceUrls(spec: SourceSpec): { field: string; url: string }[] {
  const remote = spec.type === "git" ? (spec.allowRemoteResources ?? []) : [];
  return [{ field: "spec.url", url: spec.url }, ...remote.map((url, i) => ({ field: `spec.allowRemoteResources[${i}]`, url }))];
}

/** A URL of a Source the hub may not reach: the field that holds it and why. */
export type SourceRefusal = { field: string; url: string; reason: string };

/** The refusals of a Source spec: each of its URLs (repository, allowed remote resources) on a host the hub does not allow. */
export function sourceRefusals(allowed: SourceHosts, spec: SourceSpec): SourceRefusal[] {
  return sourceUrls(spec).flatMap(({ field, url }) => {
    const reason = hostRefusal(allowed, url);
    return reason ? [{ field, url, reason }] : [];
  });
}

/** Throws a SourceHostError for the Source's first URL on a host the hub does not allow. */
export function checkSourceSpec(allowed: SourceHosts, source: string, spec: SourceSpec): void {
  const [refused] = sourceRefusals(allowed, spec);
  if (refused) throw new SourceHostError(source, refused.url, urlHost(refused.url), refused.reason);
}

/** Every address a host name leads to (the fetch may use any of them). */
export type Resolve = (host: string) => Promise<string[]>;

/** What git and curl use too: /etc/hosts, then DNS. */
export const systemResolve: Resolve = async (host) => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/** A listed host name and the addresses it was checked to lead to, for the fetch to connect to them alone. */
export type ResolvedHost = { host: string; addresses: string[] };

// Where a listed name must not lead unless the address itself is listed: the hub's own machine
// (loopback, unspecified), link-local (cloud metadata at 169.254.169.254) and other metadata
// addresses. Private ranges stay reachable by name: that is where internal Git servers live.
const INTERNAL = new BlockList();
INTERNAL.addSubnet("127.0.0.0", 8, "ipv4");
INTERNAL.addSubnet("0.0.0.0", 8, "ipv4");
INTERNAL.addSubnet("169.254.0.0", 16, "ipv4");
INTERNAL.addAddress("100.100.100.200", "ipv4");
INTERNAL.addAddress("::1", "ipv6");
INTERNAL.addAddress("::", "ipv6");
INTERNAL.addSubnet("fe80::", 10, "ipv6");
INTERNAL.addAddress("fd00:ec2::254", "ipv6");

/**
 * With --source-hosts, a URL's host name is resolved before the fetch: a name leading to an internal
 * address (loopback, link-local, metadata) the list does not name is refused, and so is a name that
 * does not resolve. Returns the checked addresses (undefined: no list, or the host is an address).
 */
export async function checkSourceAddresses(allowed: SourceHosts, source: string, url: string, resolve: Resolve): Promise<ResolvedHost | undefined> {
  checkSourceHost(allowed, source, url);
  const host = urlHost(url);
  if (!allowed || isIP(host)) return undefined;
  let addresses: string[];
  try {
    addresses = await resolve(host);
  } catch (err) {
    throw new SourceHostError(source, url, host, `host "${host}" does not resolve (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): the hub checks where a name leads before fetching`);
  }
  if (addresses.length === 0) throw new SourceHostError(source, url, host, `host "${host}" resolves to no address`);
  const internal = addresses.find((a) => INTERNAL.check(a, isIP(a) === 6 ? "ipv6" : "ipv4") && !allowed.includes(bare(a.toLowerCase())));
  if (internal) throw new SourceHostError(source, url, host, `host "${host}" resolves to ${internal}, an internal address (loopback, link-local or metadata) that is not in the hub's --source-hosts: list the address itself to allow it`);
  return { host, addresses };
}

// Git (curl) sends HTTP(S) through the proxy these name (either case); Helm fetches (node:http) ignore them.
const PROXY_VARIABLES = new Set(["http_proxy", "https_proxy", "all_proxy"]);

/** With --source-hosts, warns that a proxy in the environment resolves Source host names itself: the address check is advisory then. */
export function warnOfProxy(log: Logger, allowed: SourceHosts, env: NodeJS.ProcessEnv = process.env): void {
  const variables = Object.keys(env).filter((k) => PROXY_VARIABLES.has(k.toLowerCase()) && env[k]);
  if (!allowed || variables.length === 0) return;
  log.warn({ variables }, "--source-hosts: Git over HTTP(S) goes through a proxy, which resolves Source host names itself; the hub checks the host names, but the addresses they lead to only where no proxy is used");
}

const bare = (host: string) => host.replace(/^\[(.*)\]$/, "$1");
