import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it, onTestFinished } from "vitest";
import { createTransport } from "../kube/http.js";
import { classifyApiRequest, countApiRequests } from "./api-requests.js";

describe("classifyApiRequest", () => {
  it("names the verb and the resource of core, group and cluster-scoped paths", () => {
    expect(classifyApiRequest("GET", "/apis/apps/v1/namespaces/web/deployments/web")).toEqual({ verb: "GET", resource: "deployments" });
    expect(classifyApiRequest("PATCH", "/api/v1/namespaces/web/configmaps/c?fieldManager=gitfleet&force=true")).toEqual({ verb: "PATCH", resource: "configmaps" });
    expect(classifyApiRequest("PATCH", "/api/v1/namespaces/web/configmaps/c?dryRun=All")).toEqual({ verb: "PATCH dry-run", resource: "configmaps" });
    expect(classifyApiRequest("GET", "/apis/apps/v1/deployments?labelSelector=x&watch=true")).toEqual({ verb: "WATCH", resource: "deployments" });
    expect(classifyApiRequest("GET", "/api/v1/namespaces/web")).toEqual({ verb: "GET", resource: "namespaces" });
    expect(classifyApiRequest("GET", "/apis")).toEqual({ verb: "GET", resource: "discovery" });
    expect(classifyApiRequest("DELETE", "/t/abc/api/v1/namespaces/x/secrets/s", "/t/abc")).toEqual({ verb: "DELETE", resource: "secrets" });
  });
});

describe("countApiRequests", () => {
  it("counts requests to its API server only", async () => {
    const server = createServer((_req, res) => res.end("{}"));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    onTestFinished(() => new Promise<void>((r) => server.close(() => r())));
    const port = (server.address() as AddressInfo).port;
    const transport = (path: string) => createTransport({ server: `http://127.0.0.1:${port}${path}`, defaultNamespace: "default", requestOptions: async () => ({}), proxied: false });
    const [one, two] = [transport("/t/one"), transport("/t/two")];
    const counted: string[] = [];
    const stop = countApiRequests(`http://127.0.0.1:${port}/t/one`, (verb, resource) => counted.push(`${verb} ${resource}`));
    await one.request("GET", "/api/v1/namespaces/a/configmaps/c");
    await two.request("GET", "/api/v1/namespaces/a/configmaps/c");
    stop();
    await one.request("GET", "/api/v1/namespaces/a/secrets/s");
    expect(counted).toEqual(["GET configmaps"]);
  });
});
