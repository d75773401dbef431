import http2, { type ClientHttp2Session, type ClientHttp2Stream } from "node:http2";
import tls from "node:tls";
import { H2_CONNECT_TIMEOUT_MS, H2_PING_INTERVAL_MS, H2_PING_TIMEOUT_MS } from "../config/intervals.js";

/** A response's head; its body is the stream, read by the caller. */
export interface Answer {
  code: number;
  headers: Record<string, string>;
  body: NodeJS.ReadableStream;
}

/** One request in flight: its answer, and a way to abandon it. */
export interface Exchange {
  answer: Promise<Answer>;
  cancel(): void;
}

export interface H2Target {
  /** https://host:port */
  origin: string;
  secureContext: tls.SecureContext;
  rejectUnauthorized?: boolean;
  servername?: string;
}

/**
 * All of the agent's API calls and watches on one HTTP/2 connection, as client-go has with a real
 * API server: one TLS handshake instead of one per watch and per apply in flight. The connection is
 * opened on first use with ALPN; a server that does not offer h2 (an old proxy) gets `undefined`,
 * and the caller uses HTTP/1.1 from then on. A connection that ends (GOAWAY, reset, no answer to a
 * PING) is replaced on the next call; streams the server refused unprocessed are sent again.
 */
export interface H2Connection {
  /** undefined: the server speaks HTTP/1.1 only. */
  open(method: string, path: string, headers: Record<string, string>, body: string | undefined, timeoutMs?: number): Promise<Exchange | undefined>;
  close(): void;
}

export function createH2Connection(target: H2Target): H2Connection {
  let current: Promise<ClientHttp2Session | undefined> | undefined;
  let h1Only = false;
  // Streams in flight: the session keeps the process alive only while there are some, as idle HTTP/1.1 sockets do not.
  let active = 0;
  let closed = false;

  function session(): Promise<ClientHttp2Session | undefined> {
    current ??= connect(target).then(
      (s) => {
        if (!s) h1Only = true;
        else watchOver(s, () => (current = undefined));
        return s;
      },
      (err: unknown) => {
        current = undefined;
        throw err;
      },
    );
    return current;
  }

  async function open(method: string, path: string, headers: Record<string, string>, body: string | undefined, timeoutMs?: number, retried = false): Promise<Exchange | undefined> {
    if (h1Only || closed) return undefined;
    const s = await session();
    if (!s) return undefined;
    let stream: ClientHttp2Stream;
    try {
      stream = s.request({ ...headers, ":method": method, ":path": path }, { endStream: body === undefined });
    } catch (err) {
      // The session was closing as we asked (GOAWAY): nothing was sent, ask a new one.
      if (retried) throw err;
      current = undefined;
      return open(method, path, headers, body, timeoutMs, true);
    }
    if (active++ === 0) s.ref();
    stream.once("close", () => --active === 0 && s.unref());
    if (body !== undefined) stream.end(body);
    if (timeoutMs) stream.setTimeout(timeoutMs, () => stream.destroy(Object.assign(new Error(`ETIMEDOUT: ${method} ${path} took over ${timeoutMs} ms`), { code: "ETIMEDOUT" })));
    let answered = false;
    const answer = new Promise<Answer>((resolve, reject) => {
      stream.once("response", (h) => {
        answered = true;
        const flat = Object.fromEntries(Object.entries(h).filter(([k]) => !k.startsWith(":")).map(([k, v]) => [k, String(v)]));
        resolve({ code: Number(h[":status"] ?? 0), headers: flat, body: stream });
      });
      stream.once("error", (err) => {
        // Refused unprocessed (the server was going away): safe to send again, once.
        if (!retried && stream.rstCode === http2.constants.NGHTTP2_REFUSED_STREAM) {
          resolve(open(method, path, headers, body, timeoutMs, true).then((x) => x!.answer));
        } else reject(err);
      });
      // Every stream closes; only one closed unanswered is an error (an Error's stack costs more than the rest of a request's bookkeeping).
      stream.once("close", () => answered || reject(new Error(`ECONNRESET: ${method} ${path}: the stream closed before an answer (HTTP/2 code ${stream.rstCode})`)));
    });
    return { answer, cancel: () => stream.close(http2.constants.NGHTTP2_CANCEL) };
  }

  return {
    open: (method, path, headers, body, timeoutMs) => open(method, path, headers, body, timeoutMs),
    close() {
      closed = true;
      void current?.then((s) => s?.close(), () => undefined);
    },
  };
}

const STREAM_WINDOW = 4 * 2 ** 20;
const CONNECTION_WINDOW = 2 ** 30;
/** Node refuses new streams once a session buffers more than this (default 10 MB): several large lists at once must fit. */
const SESSION_MEMORY_MB = 256;

/** TLS with ALPN; the session when the server chose h2, undefined when it chose HTTP/1.1. */
function connect(t: H2Target): Promise<ClientHttp2Session | undefined> {
  const url = new URL(t.origin);
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: url.hostname.replace(/^\[|\]$/g, ""),
      port: Number(url.port || 443),
      secureContext: t.secureContext,
      rejectUnauthorized: t.rejectUnauthorized,
      servername: t.servername,
      ALPNProtocols: ["h2", "http/1.1"],
    });
    socket.once("error", reject);
    socket.setTimeout(H2_CONNECT_TIMEOUT_MS, () => socket.destroy(Object.assign(new Error(`ETIMEDOUT: no TLS handshake with ${t.origin} within ${H2_CONNECT_TIMEOUT_MS} ms`), { code: "ETIMEDOUT" })));
    socket.once("secureConnect", () => {
      socket.setTimeout(0);
      socket.off("error", reject);
      if (socket.alpnProtocol !== "h2") {
        socket.destroy();
        return resolve(undefined);
      }
      // Windows as client-go's (4 MiB a stream, 1 GiB the connection): with HTTP/2's 64 KiB default, a large list over a slow link would take a round trip per 64 KiB.
      const s = http2.connect(t.origin, { createConnection: () => socket, settings: { initialWindowSize: STREAM_WINDOW }, maxSessionMemory: SESSION_MEMORY_MB });
      s.setLocalWindowSize(CONNECTION_WINDOW);
      // Errors end the session; its streams report them.
      s.on("error", () => undefined);
      resolve(s);
    });
  });
}

/**
 * Forgets the session once it ends or is told to go away, and pings it while it carries streams:
 * a connection that silently died (a NAT dropping it) would otherwise hold the watches forever.
 */
function watchOver(s: ClientHttp2Session, forget: () => void): void {
  let waiting: NodeJS.Timeout | undefined;
  const ping = setInterval(() => {
    if (waiting || s.destroyed) return;
    waiting = setTimeout(() => s.destroy(new Error(`ETIMEDOUT: the API server did not answer an HTTP/2 PING in ${H2_PING_TIMEOUT_MS} ms`)), H2_PING_TIMEOUT_MS);
    waiting.unref();
    s.ping(() => {
      clearTimeout(waiting);
      waiting = undefined;
    });
  }, H2_PING_INTERVAL_MS);
  // Pings and an idle session do not keep the process alive; streams in flight do.
  ping.unref();
  const end = () => {
    clearInterval(ping);
    clearTimeout(waiting);
    forget();
  };
  s.once("goaway", forget);
  s.once("close", end);
}
