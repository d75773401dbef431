import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { ClientRequest } from "node:http";

/**
 * A Kubernetes API request by verb and resource: ("GET", "deployments") for
 * /apis/apps/v1/namespaces/web/deployments/web, ("WATCH", ...) for watches, ("PATCH dry-run", ...)
 * for dry-run applies, "discovery" for /api and /apis. A path prefix of the server URL is skipped.
 */
export function classifyApiRequest(method: string, path: string, prefix = ""): { verb: string; resource: string } {
  const verb = path.includes("watch=true") ? "WATCH" : path.includes("dryRun=All") ? `${method} dry-run` : method;
  const segs = path.split("?")[0]!.slice(prefix.replace(/\/$/, "").length).split("/").filter(Boolean);
  const rest = segs[0] === "api" ? segs.slice(2) : segs[0] === "apis" ? segs.slice(3) : segs;
  if (rest.length === 0) return { verb, resource: "discovery" };
  return { verb, resource: rest[0] === "namespaces" && rest.length >= 3 ? rest[2]! : rest[0]! };
}

const CHANNEL = "http.client.request.start";

/**
 * Counts the requests this process sends to one API server (server: its URL from the kubeconfig).
 * client-node sends them through node:http(s); the diagnostics channel sees each one without
 * wrapping the client. Returns the function that stops counting.
 */
export function countApiRequests(server: string, count: (verb: string, resource: string) => void): () => void {
  const url = new URL(server);
  const prefix = url.pathname.replace(/\/$/, "");
  const onRequest = (message: unknown) => {
    const req = (message as { request: ClientRequest }).request;
    if (req.getHeader("host") !== url.host || !req.path.startsWith(`${prefix}/`)) return;
    const { verb, resource } = classifyApiRequest(req.method, req.path, prefix);
    count(verb, resource);
  };
  subscribe(CHANNEL, onRequest);
  return () => unsubscribe(CHANNEL, onRequest);
}
