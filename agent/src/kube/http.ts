import http from "node:http";
import https from "node:https";
import tls from "node:tls";
import { channel } from "node:diagnostics_channel";
import { createInterface } from "node:readline";
import type { ClusterAccess } from "./access.js";
import { KubeApiError } from "./errors.js";
import { createH2Connection, type Answer, type Exchange, type H2Connection } from "./http2.js";

/** A request that takes longer is abandoned (a network failure: retried by the caller's backoff). */
const REQUEST_TIMEOUT_MS = 60_000;
/** Credentials are read from the kubeconfig again after this long, as client-go re-reads token files every minute. */
const CREDENTIALS_TTL_MS = 60_000;

/** Every request to an API server, over either wire, is published here as a KubeRequestMessage (metrics and benchmarks count them). */
export const KUBE_REQUEST_CHANNEL = "gitfleet.agent.kube-request";
export interface KubeRequestMessage {
  /** The server's URL, as the kubeconfig has it. */
  server: string;
  method: string;
  /** The path as sent, the server URL's own path and the query included. */
  path: string;
}
const requests = channel(KUBE_REQUEST_CHANNEL);

export interface RequestInit {
  query?: Record<string, string | undefined>;
  body?: unknown;
  contentType?: string;
}

export interface WatchHandlers {
  /** The server accepted the watch: events flow from now on. */
  onOpen(): void;
  onLine(line: WatchLine): void;
  onDone(err?: unknown): void;
}

export interface WatchLine {
  type: string;
  object: Record<string, unknown>;
}

/**
 * The agent's connection to its API server. Over https, every call and watch shares one HTTP/2
 * connection (http2.ts) when the server offers h2, as API servers do; otherwise (plain http, a
 * proxy, a server without h2) one HTTP/1.1 keep-alive pool with its TLS session cache. Neither
 * limits concurrency: watches hold a stream or socket for minutes and must not starve calls, and
 * callers bound their own concurrency. Credentials are read from the kubeconfig once a minute, so
 * rotated tokens are picked up.
 */
export interface Transport {
  request<T>(method: string, path: string, init?: RequestInit): Promise<T>;
  /** Streams a watch's events; onDone once, with an error unless the server ended it cleanly. Returns an abort function. */
  watch(path: string, query: Record<string, string | undefined>, handlers: WatchHandlers): () => void;
  /** Closes the HTTP/2 connection (watches must be stopped first). */
  close(): void;
}

export function createTransport(access: ClusterAccess): Transport {
  const server = access.server;
  const secure = server.startsWith("https:");
  // Requests are written as the server URL's path plus theirs, without parsing a URL per request.
  const { origin, pathname } = new URL(server);
  const serverPath = pathname.replace(/\/$/, "");
  let wires: { h2?: H2Connection; pool: http.Agent } | undefined;
  let credentials: { at: number; opts: Promise<https.RequestOptions> } | undefined;

  /** kubeconfig's headers, auth and agent (TLS material), read at most once a minute: reading them per call costs more than the call. */
  function kubeconfigOptions(): Promise<https.RequestOptions> {
    if (!credentials || Date.now() - credentials.at > CREDENTIALS_TTL_MS) {
      const read = access.requestOptions();
      credentials = { at: Date.now(), opts: read };
      read.catch(() => (credentials = undefined));
    }
    return credentials.opts;
  }

  /** One request on whichever wire this server gets: HTTP/2 when it can, else HTTP/1.1. */
  async function open(method: string, path: string, query: Record<string, string | undefined>, extra: Record<string, string>, body: string | undefined, timeoutMs?: number): Promise<Exchange> {
    const opts = await kubeconfigOptions();
    const headers: Record<string, string> = { ...(opts.headers as Record<string, string>), ...(opts.auth ? { authorization: `Basic ${Buffer.from(opts.auth).toString("base64")}` } : {}), accept: "application/json", ...extra };
    const onServer = serverPath + path + queryString(query);
    const target = origin + onServer;
    if (requests.hasSubscribers) requests.publish({ server, method, path: onServer } satisfies KubeRequestMessage);
    // A proxy agent (cluster.proxyUrl) is kubeconfig's choice: keep it.
    if (access.proxied) return h1Exchange(target, { method, headers, agent: opts.agent }, body, timeoutMs);
    const w = (wires ??= connections(opts));
    return (await w.h2?.open(method, onServer, headers, body, timeoutMs)) ?? h1Exchange(target, { method, headers, agent: w.pool }, body, timeoutMs);
  }

  /** Made once, from the first credentials read: the TLS material is parsed once for every connection. */
  function connections(opts: https.RequestOptions): { h2?: H2Connection; pool: http.Agent } {
    if (!secure) return { pool: new http.Agent({ keepAlive: true }) };
    const { ca, cert, key, pfx, passphrase, rejectUnauthorized, servername } = opts;
    const material = { secureContext: tls.createSecureContext({ ca, cert, key, pfx, passphrase }), rejectUnauthorized, servername };
    return { h2: createH2Connection({ origin, ...material }), pool: new https.Agent({ keepAlive: true, ...material }) };
  }

  // Looked up on each call (not captured): measurements wrap http.request and https.request.
  const send = (target: string, opts: https.RequestOptions) => (secure ? https.request(target, opts) : http.request(target, opts));

  /** HTTP/1.1; a request that met a keep-alive connection the server had just closed is sent again, once. */
  function h1Exchange(target: string, opts: https.RequestOptions, body: string | undefined, timeoutMs?: number, retried = false): Exchange {
    const req = send(target, opts);
    if (timeoutMs) req.setTimeout(timeoutMs, () => req.destroy(new Error(`ETIMEDOUT: ${opts.method} ${new URL(target).pathname} took over ${timeoutMs} ms`)));
    let retry: Exchange | undefined;
    const answer = new Promise<Answer>((resolve, reject) => {
      req.on("error", (err: NodeJS.ErrnoException) => {
        if (!retried && req.reusedSocket && (err.code === "ECONNRESET" || err.message === "socket hang up")) {
          retry = h1Exchange(target, opts, body, timeoutMs, true);
          resolve(retry.answer);
        } else reject(err);
      });
      req.once("response", (res) => resolve({ code: res.statusCode ?? 0, headers: flatHeaders(res.headers), body: res }));
    });
    req.end(body);
    return { answer, cancel: () => (retry ? retry.cancel() : req.destroy()) };
  }

  return {
    async request<T>(method: string, path: string, init: RequestInit = {}): Promise<T> {
      const body = init.body === undefined ? undefined : JSON.stringify(init.body);
      const headers: Record<string, string> = body === undefined ? {} : { "content-type": init.contentType ?? "application/json", "content-length": String(Buffer.byteLength(body)) };
      const res = await (await open(method, path, init.query ?? {}, headers, body, REQUEST_TIMEOUT_MS)).answer;
      const text = await readAll(res.body);
      if (res.code < 200 || res.code > 299) throw apiError(res.code, text, res.headers);
      try {
        return (text ? JSON.parse(text) : undefined) as T;
      } catch (err) {
        throw new Error(`${method} ${path}: the API server answered ${res.code} with invalid JSON: ${(err as Error).message}`);
      }
    },

    watch(path, query, { onOpen, onLine, onDone }) {
      let done = false;
      let exchange: Exchange | undefined;
      const finish = (err?: unknown) => {
        if (done) return;
        done = true;
        exchange?.cancel();
        onDone(err);
      };
      open("GET", path, { ...query, watch: "true" }, {}, undefined).then(async (x) => {
        exchange = x;
        if (done) return x.cancel();
        const res = await x.answer;
        if (res.code !== 200) return finish(apiError(res.code, await readAll(res.body), res.headers));
        onOpen();
        const lines = createInterface({ input: res.body, crlfDelay: Infinity });
        // readline re-emits the response's errors (an aborted watch) on itself.
        lines.on("error", finish);
        lines.on("line", (line) => {
          if (done || !line.trim()) return;
          try {
            onLine(JSON.parse(line) as WatchLine);
          } catch (err) {
            finish(err);
          }
        });
        res.body.once("close", () => finish());
      }).catch(finish);
      return () => {
        done = true;
        exchange?.cancel();
      };
    },

    close: () => wires?.h2?.close(),
  };
}

function queryString(query: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, v);
  const q = params.toString();
  return q ? `?${q}` : "";
}

function readAll(body: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    body.on("data", (c: Buffer) => chunks.push(c));
    body.once("error", reject);
    body.once("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
  });
}

const flatHeaders = (headers: http.IncomingHttpHeaders) => Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, String(v)]));

/** An API server's answer other than 2xx, with its Status message. */
export function apiError(code: number, body: string, headers: Record<string, string> = {}): KubeApiError {
  let message = `HTTP ${code}`;
  try {
    message = (JSON.parse(body) as { message?: string }).message ?? message;
  } catch {
    // not JSON
  }
  return new KubeApiError(code, `HTTP-Code: ${code}\nMessage: ${message}`, body, headers);
}
