// The agent's HTTP/2 connection set-up is bounded: an API server that accepts TCP and never
// answers the TLS handshake fails the call (which the agent retries) instead of holding it.
import { createServer, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { expect, it, onTestFinished, vi } from "vitest";

it("fails a call whose server never answers the TLS handshake, and connects again on the next call", async () => {
  vi.stubEnv("GITFLEET_KUBE_CONNECT_TIMEOUT_MS", "300");
  vi.resetModules();
  const { createTransport } = await import("../../agent/src/kube/http.js");
  const sockets = new Set<Socket>();
  const server = createServer((s) => void sockets.add(s)); // accepts, says nothing
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const transport = createTransport({ server: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, defaultNamespace: "default", requestOptions: async () => ({}), proxied: false });
  onTestFinished(() => {
    vi.unstubAllEnvs();
    transport.close();
    for (const s of sockets) s.destroy();
    return new Promise<void>((r) => server.close(() => r()));
  });
  await expect(transport.request("GET", "/version")).rejects.toThrow(/ETIMEDOUT: no TLS handshake/);
  await expect(transport.request("GET", "/version")).rejects.toThrow(/ETIMEDOUT: no TLS handshake/);
  expect(sockets.size).toBe(2);
});
