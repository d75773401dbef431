// Counts a process's Kubernetes API requests by verb and resource: client-node sends them through
// http.request or https.request (gRPC to the hub goes through http2 and is not counted). The verb
// and resource are named as the agent's own metric (gitfleet_agent_api_requests_total) names them.
import http from "node:http";
import https from "node:https";
import { classifyApiRequest } from "@gitfleet/agent/dist/metrics/api-requests.js";

export function countKubeRequests(into: Record<string, number>): void {
  // kube-sim serves https (plain http with tls: false): count both
  for (const mod of [http, https]) {
    const original = mod.request;
    mod.request = function (this: unknown, ...args: unknown[]) {
      const req = (original as (...a: unknown[]) => http.ClientRequest).apply(this, args);
      // kube-sim serves each cluster under /t/TOKEN
      const { verb, resource } = classifyApiRequest(req.method, req.path, /^\/t\/[^/]+/.exec(req.path)?.[0]);
      const kind = `${verb} ${resource}`;
      into[kind] = (into[kind] ?? 0) + 1;
      return req;
    } as typeof mod.request;
  }
}
