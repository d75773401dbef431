import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import { splitHostPort } from "@gitfleet/shared";

export interface MetricsServer {
  /** HOST:PORT actually bound (port 0 picks a free one). */
  address: string;
  close(): Promise<void>;
}

/** Serves GET /metrics in the Prometheus text format on listen (HOST:PORT). */
export async function serveMetrics(registry: Registry, listen: string): Promise<MetricsServer> {
  const { host, port } = splitHostPort(listen, "--metrics-listen");
  const server = createServer((req, res) => {
    if (req.method !== "GET" || req.url?.split("?")[0] !== "/metrics") {
      res.writeHead(404).end("not found\n");
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { "content-type": registry.contentType }).end(text),
      (err: unknown) => res.writeHead(500).end(`cannot collect metrics: ${(err as Error).message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err) => reject(new Error(`cannot listen on ${listen} (--metrics-listen): ${err.message}`)));
    server.listen(port, host, resolve);
  });
  return {
    address: `${host}:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
