import http from "node:http";
import https from "node:https";
import tls from "node:tls";
import { createInterface } from "node:readline";
import type { ClusterAccess } from "./access.js";
import { KubeApiError } from "./errors.js";

/** A request that takes longer is abandoned (a network failure: retried by the caller's backoff). */
const REQUEST_TIMEOUT_MS = 60_000;
/** Credentials are read from the kubeconfig again after this long, as client-go re-reads token files every minute. */
const CREDENTIALS_TTL_MS = 60_000;

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
 * The agent's HTTP connection to its API server. client-node makes a new https.Agent (a new TCP
 * and TLS handshake) for every call; here every call and watch shares one keep-alive pool and its
 * TLS session cache (a connection after the first resumes the session). The pool has no socket
 * limit, so watches, which hold a connection for minutes, never starve calls; callers bound their
 * own concurrency. Credentials are read from the kubeconfig once a minute, so rotated tokens are picked up.
 */
export interface Transport {
  request<T>(method: string, path: string, init?: RequestInit): Promise<T>;
  /** Streams a watch's events; onDone once, with an error unless the server ended it cleanly. Returns an abort function. */
  watch(path: string, query: Record<string, string | undefined>, handlers: WatchHandlers): () => void;
}

export function createTransport(access: ClusterAccess): Transport {
  const server = access.server;
  const secure = server.startsWith("https:");
  let pool: http.Agent | undefined;
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

  async function options(method: string, headers: Record<string, string>): Promise<https.RequestOptions> {
    const opts = await kubeconfigOptions();
    // A proxy agent (cluster.proxyUrl) is kubeconfig's choice: keep it.
    const agent = access.proxied ? opts.agent : (pool ??= keepAlive(secure, opts));
    return { method, headers: { ...(opts.headers as Record<string, string>), accept: "application/json", ...headers }, auth: opts.auth, agent };
  }

  const url = (path: string, query: Record<string, string | undefined> = {}) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, v);
    const q = params.toString();
    return `${server}${path}${q ? `?${q}` : ""}`;
  };

  // Looked up on each call (not captured): measurements wrap http.request and https.request.
  const send = (target: string, opts: https.RequestOptions) => (secure ? https.request(target, opts) : http.request(target, opts));

  return {
    async request<T>(method: string, path: string, init: RequestInit = {}): Promise<T> {
      const body = init.body === undefined ? undefined : JSON.stringify(init.body);
      const headers: Record<string, string> = body === undefined ? {} : { "content-type": init.contentType ?? "application/json", "content-length": String(Buffer.byteLength(body)) };
      const opts = await options(method, headers);
      const attempt = (retried: boolean) => new Promise<T>((resolve, reject) => {
        const req = send(url(path, init.query), opts);
        req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`ETIMEDOUT: ${method} ${path} took over ${REQUEST_TIMEOUT_MS} ms`)));
        req.on("error", (err: NodeJS.ErrnoException) => {
          // The server closed an idle keep-alive connection as we reused it: nothing was processed, send it again once.
          if (!retried && req.reusedSocket && (err.code === "ECONNRESET" || err.message === "socket hang up")) resolve(attempt(true));
          else reject(err);
        });
        req.once("response", (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("error", reject);
          res.once("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            const code = res.statusCode ?? 0;
            if (code < 200 || code > 299) return reject(apiError(code, text, res.headers));
            try {
              resolve((text ? JSON.parse(text) : undefined) as T);
            } catch (err) {
              reject(new Error(`${method} ${path}: the API server answered ${code} with invalid JSON: ${(err as Error).message}`));
            }
          });
        });
        req.end(body);
      });
      return attempt(false);
    },

    watch(path, query, { onOpen, onLine, onDone }) {
      let done = false;
      let req: http.ClientRequest | undefined;
      const finish = (err?: unknown) => {
        if (done) return;
        done = true;
        req?.destroy();
        onDone(err);
      };
      options("GET", {}).then((opts) => {
        if (done) return;
        req = send(url(path, { ...query, watch: "true" }), opts);
        req.on("error", finish);
        req.once("response", (res) => {
          res.on("error", finish);
          const code = res.statusCode ?? 0;
          if (code !== 200) {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.once("end", () => finish(apiError(code, Buffer.concat(chunks).toString("utf8"), res.headers)));
            return;
          }
          onOpen();
          const lines = createInterface({ input: res, crlfDelay: Infinity });
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
          res.once("close", () => finish());
        });
        req.end();
      }, finish);
      return () => {
        done = true;
        req?.destroy();
      };
    },
  };
}

function keepAlive(secure: boolean, material: https.RequestOptions): http.Agent {
  const { ca, cert, key, pfx, passphrase, rejectUnauthorized, servername } = material;
  // One secure context for every connection (tls.connect would parse the CA and keys again for each).
  const secureContext = secure ? tls.createSecureContext({ ca, cert, key, pfx, passphrase }) : undefined;
  return secure ? new https.Agent({ keepAlive: true, secureContext, rejectUnauthorized, servername }) : new http.Agent({ keepAlive: true });
}

/** An API server's answer other than 2xx, with its Status message. */
export function apiError(code: number, body: string, headers: http.IncomingHttpHeaders = {}): KubeApiError {
  let message = `HTTP ${code}`;
  try {
    message = (JSON.parse(body) as { message?: string }).message ?? message;
  } catch {
    // not JSON
  }
  const flat = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, String(v)]));
  return new KubeApiError(code, `HTTP-Code: ${code}\nMessage: ${message}`, body, flat);
}
