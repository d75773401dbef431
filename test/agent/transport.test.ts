// The agent's transport: one HTTP/2 connection for calls and watches when the server offers h2,
// HTTP/1.1 when it does not, and a new connection after the server sends GOAWAY.
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import { createSecureServer, type Http2SecureServer } from "node:http2";
import type { AddressInfo } from "node:net";
import { describe, expect, it, onTestFinished } from "vitest";
import { createTransport, type Transport } from "../../agent/src/kube/http.js";
import { tlsFor } from "../kube-sim/tls.js";

type Handler = (req: { url?: string; httpVersion: string }, res: { writeHead(code: number, h: Record<string, string>): unknown; write(s: string): unknown; end(s?: string): unknown }) => void;

/** Answers every GET with its HTTP version; a watch gets one event and stays open. */
const answer: Handler = (req, res) => {
  res.writeHead(200, { "content-type": "application/json" });
  if (req.url?.includes("watch=true")) return void res.write(`${JSON.stringify({ type: "ADDED", object: { v: req.httpVersion } })}\n`);
  res.end(JSON.stringify({ v: req.httpVersion }));
};

async function serve(h2: boolean): Promise<{ transport: Transport; connections: () => number; server: HttpsServer | Http2SecureServer }> {
  const tls = await tlsFor("127.0.0.1");
  const server = h2 ? createSecureServer({ key: tls.key, cert: tls.cert, allowHTTP1: true }, answer as never) : createHttpsServer({ key: tls.key, cert: tls.cert }, answer as never);
  let connections = 0;
  const sockets = new Set<import("node:net").Socket>();
  server.on("secureConnection", (s) => {
    connections++;
    sockets.add(s);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const transport = createTransport({ server: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, defaultNamespace: "default", requestOptions: async () => ({ ca: tls.ca }), proxied: false });
  onTestFinished(() => {
    transport.close();
    for (const s of sockets) s.destroy();
    return new Promise<void>((r) => server.close(() => r()));
  });
  return { transport, connections: () => connections, server };
}

/** Opens a watch and resolves with its first event's HTTP version; the watch stays open. */
function firstEvent(t: Transport): Promise<string> {
  return new Promise((resolve, reject) => {
    const stop = t.watch("/api/v1/configmaps", {}, {
      onOpen: () => undefined,
      onLine: (line) => resolve(String(line.object.v)),
      onDone: (err) => reject(err ?? new Error("watch ended")),
    });
    onTestFinished(stop);
  });
}

describe("agent transport", () => {
  it("sends calls and watches on one HTTP/2 connection when the server offers h2", async () => {
    const { transport, connections } = await serve(true);
    const watches = await Promise.all([firstEvent(transport), firstEvent(transport)]);
    const calls = await Promise.all(Array.from({ length: 12 }, () => transport.request<{ v: string }>("GET", "/api/v1/namespaces/x/configmaps/c")));
    expect([...watches, ...calls.map((c) => c.v)].every((v) => v === "2.0")).toBe(true);
    expect(connections()).toBe(1);
  });

  it("uses HTTP/1.1 with a server that does not offer h2", async () => {
    const { transport } = await serve(false);
    expect(await firstEvent(transport)).toBe("1.1");
    const calls = await Promise.all(Array.from({ length: 4 }, () => transport.request<{ v: string }>("GET", "/api/v1/namespaces/x/configmaps/c")));
    expect(calls.map((c) => c.v)).toEqual(["1.1", "1.1", "1.1", "1.1"]);
  });

  it("opens a new connection after the server sends GOAWAY", async () => {
    const { transport, connections, server } = await serve(true);
    const sessions: import("node:http2").ServerHttp2Session[] = [];
    server.on("session", (s: import("node:http2").ServerHttp2Session) => sessions.push(s));
    expect((await transport.request<{ v: string }>("GET", "/version")).v).toBe("2.0");
    // The next request meets the GOAWAY or a stream refused by it, whichever comes first: both are retried on a new connection.
    sessions[0]!.goaway();
    expect((await transport.request<{ v: string }>("GET", "/version")).v).toBe("2.0");
    expect(connections()).toBe(2);
  });
});
