import http from "node:http";
import type { Logger } from "@gitfleet/shared";
import type { Db } from "../../store/index.js";
import type { Sessions } from "../grpc/sessions.js";

export type Route = (req: http.IncomingMessage, body: Buffer) => Promise<{ status: number; body: string; type?: string }>;

export interface HttpDeps {
  db: Db;
  log: Logger;
  sessions: Sessions;
  /** Extra routes by path prefix (webhooks). */
  routes: Map<string, Route>;
  stats: { readonly renders: number; readonly pushes: number };
}

const MAX_BODY = 5 * 1024 * 1024;

/** Health, metrics and webhooks on the hub's HTTP port. */
export function createHttpServer(deps: HttpDeps): http.Server {
  return http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) req.destroy();
      else chunks.push(c);
    });
    req.on("end", () => {
      handle(deps, req, Buffer.concat(chunks)).then(
        (r) => res.writeHead(r.status, { "content-type": r.type ?? "text/plain; charset=utf-8" }).end(r.body),
        (err: unknown) => {
          deps.log.error({ err, path: req.url }, "http handler failed");
          res.writeHead(500).end("internal error\n");
        },
      );
    });
  });
}

async function handle(deps: HttpDeps, req: http.IncomingMessage, body: Buffer) {
  const path = new URL(req.url ?? "/", "http://hub").pathname;
  if (path === "/healthz") return { status: 200, body: "ok\n" };
  if (path === "/readyz") {
    await deps.db.cluster.count();
    return { status: 200, body: "ok\n" };
  }
  if (path === "/metrics") return { status: 200, body: await metrics(deps), type: "text/plain; version=0.0.4" };
  for (const [prefix, route] of deps.routes) {
    if (path.startsWith(prefix)) return route(req, body);
  }
  return { status: 404, body: "not found\n" };
}

async function metrics(deps: HttpDeps): Promise<string> {
  const byState = await deps.db.cluster.groupBy({ by: ["state"], _count: { _all: true } });
  const lines = ["# HELP gitfleet_clusters Registered clusters by state.", "# TYPE gitfleet_clusters gauge"];
  for (const s of ["Pending", "Connected", "Disconnected"]) {
    const n = byState.find((b) => b.state === s)?._count._all ?? 0;
    lines.push(`gitfleet_clusters{state="${s}"} ${n}`);
  }
  lines.push("# HELP gitfleet_agent_streams Open agent streams.", "# TYPE gitfleet_agent_streams gauge");
  lines.push(`gitfleet_agent_streams ${deps.sessions.size}`);
  lines.push("# HELP gitfleet_renders_total Bundles rendered (one per revision, path and overlay).", "# TYPE gitfleet_renders_total counter");
  lines.push(`gitfleet_renders_total ${deps.stats.renders}`);
  lines.push("# HELP gitfleet_assignment_pushes_total Assignment sets pushed to agents.", "# TYPE gitfleet_assignment_pushes_total counter");
  lines.push(`gitfleet_assignment_pushes_total ${deps.stats.pushes}`);
  return lines.join("\n") + "\n";
}
