// Counts a process's Kubernetes API requests by verb and resource: client-node sends them through
// http.request or https.request (gRPC to the hub goes through http2 and is not counted).
import http from "node:http";
import https from "node:https";

export function countKubeRequests(into: Record<string, number>): void {
  // kube-sim serves https (plain http with tls: false): count both
  for (const mod of [http, https]) {
    const original = mod.request;
    mod.request = function (this: unknown, ...args: unknown[]) {
      const req = (original as (...a: unknown[]) => http.ClientRequest).apply(this, args);
      const verb = req.path.includes("watch=true") ? "WATCH" : req.path.includes("dryRun=All") ? `${req.method} dry-run` : req.method;
      const kind = `${verb} ${resourceOf(req.path)}`;
      into[kind] = (into[kind] ?? 0) + 1;
      return req;
    } as typeof mod.request;
  }
}

/** "deployments" for /t/TOKEN/apis/apps/v1/namespaces/bench/deployments/web, "discovery" for /api and /apis. */
function resourceOf(path: string): string {
  let segs = path.split("?")[0]!.split("/").filter(Boolean);
  if (segs[0] === "t") segs = segs.slice(2);
  const rest = segs[0] === "api" ? segs.slice(2) : segs[0] === "apis" ? segs.slice(3) : segs;
  if (rest.length === 0) return "discovery";
  return rest[0] === "namespaces" && rest.length >= 3 ? rest[2]! : rest[0]!;
}
