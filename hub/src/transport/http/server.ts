import http from "node:http";
import type { Logger } from "@gitfleet/shared";
import { scrapeAnswer, type MetricsSource } from "@gitfleet/shared/metrics-http";
import { MAX_HTTP_BODY } from "../../config/limits.js";
import type { Db } from "../../store/index.js";
import type { RawRoute } from "./dashboard.js";

export type Route = (req: http.IncomingMessage, body: Buffer) => Promise<{ status: number; body: string; type?: string }>;

export interface HttpDeps {
  db: Db;
  log: Logger;
  /** Extra routes by path prefix (webhooks). */
  routes: Map<string, Route>;
  metrics: MetricsSource;
  /** Served before the buffered routes, with the raw request (the dashboard and its streams). */
  dashboard?: RawRoute;
}


/** Health, metrics and webhooks on the hub's HTTP port. */
export function createHttpServer(deps: HttpDeps): http.Server {
  return http.createServer((req, res) => {
    if (!deps.dashboard) return buffered(deps, req, res);
    deps.dashboard(req, res).then(
      (handled) => handled || buffered(deps, req, res),
      (err: unknown) => {
        deps.log.error({ err, path: req.url }, "dashboard handler failed");
        if (!res.headersSent) res.writeHead(500).end("internal error\n");
      },
    );
  });
}

function buffered(deps: HttpDeps, req: http.IncomingMessage, res: http.ServerResponse): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on("data", (c: Buffer) => {
    size += c.length;
    if (size <= MAX_HTTP_BODY) return void chunks.push(c);
    // Answer once, then read and drop the rest so the client sees the 413 rather than a reset; a
    // sender that goes on far beyond the limit is cut off.
    if (!res.headersSent) res.writeHead(413, { connection: "close" }).end(`request body larger than the limit of ${MAX_HTTP_BODY} bytes\n`);
    if (size > 8 * MAX_HTTP_BODY) req.destroy();
  });
  req.on("end", () => {
    if (res.headersSent) return;
    handle(deps, req, Buffer.concat(chunks)).then(
      (r) => res.writeHead(r.status, { "content-type": r.type ?? "text/plain; charset=utf-8" }).end(r.body),
      (err: unknown) => {
        deps.log.error({ err, path: req.url }, "http handler failed");
        res.writeHead(500).end("internal error\n");
      },
    );
  });
}

async function handle(deps: HttpDeps, req: http.IncomingMessage, body: Buffer) {
  const path = new URL(req.url ?? "/", "http://hub").pathname;
  if (path === "/healthz") return { status: 200, body: "ok\n" };
  if (path === "/readyz") {
    await deps.db.cluster.count();
    return { status: 200, body: "ok\n" };
  }
  if (path === "/metrics") return scrapeAnswer(deps.metrics);
  for (const [prefix, route] of deps.routes) {
    if (path.startsWith(prefix)) return route(req, body);
  }
  return { status: 404, body: "not found\n" };
}
