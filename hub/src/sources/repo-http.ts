// GETs from a Helm repository: one URL, basic auth only there, no redirects, a bounded body.
import { get as httpGet, type IncomingMessage } from "node:http";
import { get as httpsGet } from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { HelmRepoError } from "./errors.js";
import type { ResolvedHost } from "./hosts.js";

/** Basic auth for a Helm repository (spec.credentials, or userinfo in the Source's URL). */
export type RepoAuth = { username?: string; password: string };

export type RepoGet = {
  source: string;
  auth?: RepoAuth | undefined;
  maxBytes: number;
  timeoutMs: number;
  /** From an earlier answer: a 304 then means unchanged. */
  validators?: Validators | undefined;
  /** The addresses --source-hosts checked the URL's host name to lead to: the only ones connected to. */
  pinned?: ResolvedHost | undefined;
};

/** What makes a GET conditional (ETag, Last-Modified). */
export type Validators = { etag?: string; lastModified?: string };

export type RepoAnswer = { body: Buffer; notModified: boolean; validators: Validators };

/**
 * Redirects are refused rather than followed: following one would fetch (and send credentials to)
 * a URL nobody configured. Errors are HelmRepoErrors that name the Source and URL, never the credentials.
 */
export async function repoGet(url: string, opts: RepoGet): Promise<RepoAnswer> {
  const fail = (reason: ConstructorParameters<typeof HelmRepoError>[2], detail: string) => new HelmRepoError(opts.source, url, reason, detail);
  const headers: Record<string, string> = { "user-agent": "gitfleet-hub" };
  if (opts.validators?.etag) headers["if-none-match"] = opts.validators.etag;
  if (opts.validators?.lastModified) headers["if-modified-since"] = opts.validators.lastModified;
  if (opts.auth) headers.authorization = `Basic ${Buffer.from(`${opts.auth.username ?? ""}:${opts.auth.password}`).toString("base64")}`;
  // One deadline for the answer and its body.
  const signal = AbortSignal.timeout(opts.timeoutMs);
  const why = (err: unknown) => (signal.aborted ? `no answer within ${opts.timeoutMs / 1000}s` : ((err as NodeJS.ErrnoException).code ?? (err as Error).message));
  let res: IncomingMessage;
  try {
    res = await get(url, headers, signal, opts.pinned);
  } catch (err) {
    throw fail("unreachable", `repository unreachable: ${why(err)}`);
  }
  const status = res.statusCode ?? 0;
  const header = (name: string) => [res.headers[name]].flat()[0];
  if (status === 401 || status === 403) {
    res.destroy();
    throw fail("unauthorized", `${status} ${res.statusMessage || "Unauthorized"}: ${opts.auth ? "the repository refused the credentials (spec.credentials)" : "the repository wants credentials: set spec.credentials {username, password}"}`);
  }
  const validators: Validators = {
    ...(header("etag") ? { etag: header("etag")! } : {}),
    ...(header("last-modified") ? { lastModified: header("last-modified")! } : {}),
  };
  if (status === 304 && opts.validators) {
    res.destroy();
    return { body: Buffer.alloc(0), notModified: true, validators: { ...opts.validators, ...validators } };
  }
  if (status >= 300 && status < 400) {
    res.destroy();
    throw fail("redirect", `redirected (${status}) to ${header("location") ?? "?"}: set spec.url to the repository's final URL`);
  }
  if (status < 200 || status >= 300) {
    res.destroy();
    throw fail("http-status", `answered ${status} ${res.statusMessage ?? ""}`.trim());
  }
  const length = Number(header("content-length") ?? "0");
  if (length > opts.maxBytes) {
    res.destroy();
    throw fail("too-large", `${length} bytes, over the ${opts.maxBytes} byte limit`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > opts.maxBytes) throw fail("too-large", `more than ${opts.maxBytes} bytes`);
      chunks.push(chunk);
    }
  } catch (err) {
    res.destroy();
    if (err instanceof HelmRepoError) throw err;
    throw fail("unreachable", `reading the answer: ${why(err)}`);
  }
  return { body: Buffer.concat(chunks), notModified: false, validators };
}

function get(url: string, headers: Record<string, string>, signal: AbortSignal, pinned?: ResolvedHost): Promise<IncomingMessage> {
  const u = new URL(url);
  const options = { headers, signal, ...(pinned ? { lookup: pinnedLookup(pinned) } : {}) };
  return new Promise((resolve, reject) => void (u.protocol === "https:" ? httpsGet : httpGet)(u, options, resolve).on("error", reject));
}

// Answers the connection's lookup with the checked addresses: a DNS answer changed since the check (rebinding) is not used.
function pinnedLookup(pinned: ResolvedHost): LookupFunction {
  return (hostname, options, callback) => {
    const all = pinned.addresses.map((address) => ({ address, family: isIP(address) })).filter((a) => !options.family || a.family === options.family);
    const first = all[0];
    if (hostname.toLowerCase() !== pinned.host || !first) {
      callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" }), "", 0);
      return;
    }
    if (options.all) callback(null, all);
    else callback(null, first.address, first.family);
  };
}
