import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { KUBE_REQUEST_CHANNEL, type KubeRequestMessage } from "../kube/http.js";

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

/**
 * Counts the requests this process sends to one API server (server: its URL from the kubeconfig),
 * as the agent's transport publishes them, over HTTP/1.1 or HTTP/2. Returns the function that stops counting.
 */
export function countApiRequests(server: string, count: (verb: string, resource: string) => void): () => void {
  const prefix = new URL(server).pathname.replace(/\/$/, "");
  const onRequest = (message: unknown) => {
    const req = message as KubeRequestMessage;
    if (req.server !== server) return;
    const { verb, resource } = classifyApiRequest(req.method, req.path, prefix);
    count(verb, resource);
  };
  subscribe(KUBE_REQUEST_CHANNEL, onRequest);
  return () => unsubscribe(KUBE_REQUEST_CHANNEL, onRequest);
}
