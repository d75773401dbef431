// Counts a process's Kubernetes API requests by verb and resource, as the agent's transport publishes
// them (over HTTP/1.1 or HTTP/2; gRPC to the hub is not counted). The verb and resource are named as
// the agent's own metric (gitfleet_agent_api_requests_total) names them.
import { subscribe } from "node:diagnostics_channel";
import { KUBE_REQUEST_CHANNEL, type KubeRequestMessage } from "@gitfleet/agent/dist/kube/http.js";
import { classifyApiRequest } from "@gitfleet/agent/dist/metrics/api-requests.js";

export function countKubeRequests(into: Record<string, number>): void {
  subscribe(KUBE_REQUEST_CHANNEL, (message) => {
    const req = message as KubeRequestMessage;
    // kube-sim serves each cluster under /t/TOKEN over plain http
    const { verb, resource } = classifyApiRequest(req.method, req.path, /^\/t\/[^/]+/.exec(req.path)?.[0]);
    const kind = `${verb} ${resource}`;
    into[kind] = (into[kind] ?? 0) + 1;
  });
}
