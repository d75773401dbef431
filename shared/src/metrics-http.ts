// Serving Prometheus metrics over HTTP, for the hub's HTTP port and the agent's --metrics-listen.
// Transport: imported by composition roots and HTTP servers, not by domain code.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { splitHostPort } from "./host-port.js";

/** What a scrape reads from a metrics registry (prom-client's Registry is one). */
export interface MetricsSource {
  metrics(): Promise<string>;
  readonly contentType: string;
}

export interface HttpAnswer {
  status: number;
  body: string;
  type: string;
}

/** The answer to GET /metrics. */
export async function scrapeAnswer(source: MetricsSource): Promise<HttpAnswer> {
  try {
    return { status: 200, body: await source.metrics(), type: source.contentType };
  } catch (err) {
    return { status: 500, body: `cannot collect metrics: ${(err as Error).message}\n`, type: "text/plain; charset=utf-8" };
  }
}

export interface MetricsServer {
  /** HOST:PORT actually bound (port 0 picks a free one). */
  address: string;
  close(): Promise<void>;
}

/** An HTTP listener on `listen` (HOST:PORT, given by `flag`) serving only GET /metrics. */
export async function serveMetrics(source: MetricsSource, listen: string, flag: string): Promise<MetricsServer> {
  const { host, port } = splitHostPort(listen, flag);
  const server = createServer((req, res) => {
    if (req.method !== "GET" || req.url?.split("?")[0] !== "/metrics") return void res.writeHead(404).end("not found\n");
    void scrapeAnswer(source).then((a) => res.writeHead(a.status, { "content-type": a.type }).end(a.body));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err) => reject(new Error(`cannot listen on ${listen} (${flag}): ${err.message}`)));
    server.listen(port, host, resolve);
  });
  return {
    address: `${host}:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
