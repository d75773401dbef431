// GETs from a Helm repository: one URL, basic auth only there, no redirects, a bounded body.
import { HelmRepoError } from "./errors.js";

/** Basic auth for a Helm repository (spec.credentials, or userinfo in the Source's URL). */
export type RepoAuth = { username?: string; password: string };

export type RepoGet = { source: string; auth?: RepoAuth | undefined; maxBytes: number; timeoutMs: number; /** From an earlier answer: a 304 then means unchanged. */ validators?: Validators | undefined };

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
  let res: Response;
  try {
    res = await fetch(url, { headers, redirect: "manual", signal: AbortSignal.timeout(opts.timeoutMs) });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const why = e.name === "TimeoutError" ? `no answer within ${opts.timeoutMs / 1000}s` : (e.cause?.code ?? e.cause?.message ?? e.message);
    throw fail("unreachable", `repository unreachable: ${why}`);
  }
  if (res.status === 401 || res.status === 403) {
    await res.body?.cancel();
    throw fail("unauthorized", `${res.status} ${res.statusText || "Unauthorized"}: ${opts.auth ? "the repository refused the credentials (spec.credentials)" : "the repository wants credentials: set spec.credentials {username, password}"}`);
  }
  const validators: Validators = {
    ...(res.headers.get("etag") ? { etag: res.headers.get("etag")! } : {}),
    ...(res.headers.get("last-modified") ? { lastModified: res.headers.get("last-modified")! } : {}),
  };
  if (res.status === 304 && opts.validators) {
    await res.body?.cancel();
    return { body: Buffer.alloc(0), notModified: true, validators: { ...opts.validators, ...validators } };
  }
  if (res.status >= 300 && res.status < 400) {
    await res.body?.cancel();
    throw fail("redirect", `redirected (${res.status}) to ${res.headers.get("location") ?? "?"}: set spec.url to the repository's final URL`);
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw fail("http-status", `answered ${res.status} ${res.statusText}`);
  }
  const length = Number(res.headers.get("content-length") ?? "0");
  if (length > opts.maxBytes) {
    await res.body?.cancel();
    throw fail("too-large", `${length} bytes, over the ${opts.maxBytes} byte limit`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body ?? []) {
      size += chunk.length;
      if (size > opts.maxBytes) throw fail("too-large", `more than ${opts.maxBytes} bytes`);
      chunks.push(chunk);
    }
  } catch (err) {
    if (err instanceof HelmRepoError) throw err;
    throw fail("unreachable", `reading the answer: ${(err as Error).message}`);
  }
  return { body: Buffer.concat(chunks), notModified: false, validators };
}
