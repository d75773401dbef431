import * as grpc from "@grpc/grpc-js";
import { Writable } from "node:stream";
import { afterEach, expect, it, vi } from "vitest";
import { AgentService, createLogger, serviceDefinition } from "@gitfleet/shared";

afterEach(() => vi.unstubAllEnvs());

/** A hub whose first `silent` Connect calls are never answered; later ones are welcomed. */
async function hub(silent: number) {
  const server = new grpc.Server();
  let connects = 0;
  server.addService(serviceDefinition(AgentService), {
    connect(call: grpc.ServerDuplexStream<unknown, unknown>) {
      if (++connects <= silent) return;
      call.write({ msg: { case: "welcome", value: { heartbeatIntervalSeconds: 60 } } });
    },
  });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  return { address: `127.0.0.1:${port}`, connects: () => connects, close: () => server.forceShutdown() };
}

it("gives up a stream the hub never welcomes and opens it again on a new channel", async () => {
  vi.stubEnv("GITFLEET_WELCOME_TIMEOUT_MS", "300");
  vi.stubEnv("GITFLEET_RECONNECT_BASE_MS", "10");
  vi.resetModules();
  const { createAgentClient, createHubClients, runLink } = await import("./agent-link.js");
  const h = await hub(1);
  const lines: string[] = [];
  const log = createLogger("test", new Writable({ write: (chunk, _e, cb) => (lines.push(String(chunk)), cb()) }));
  const made: string[] = [];
  const hubs = createHubClients(h.address, (a) => (made.push(a), createAgentClient(a, grpc.credentials.createInsecure())));
  const abort = new AbortController();
  let linked = false;
  const run = runLink({
    hub: h.address, name: "c1", labels: {}, agentVersion: "t", kubernetesVersion: "t", log,
    identities: { load: async () => ({ name: "c1", hub: h.address, credential: "x" }), save: async () => undefined, describe: () => "memory" },
    credentials: grpc.credentials.createInsecure(),
    handler: { assignments() {}, sync() {}, link: (send) => void (linked ||= Boolean(send)) },
  }, hubs, abort.signal);
  const deadline = Date.now() + 10_000;
  while (!linked && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  abort.abort();
  await run;
  hubs.close();
  h.close();
  expect(linked).toBe(true);
  expect(h.connects()).toBe(2);
  expect(made).toEqual([h.address, h.address]); // a second channel after the timeout
  expect(lines.join("")).toContain("no Welcome from the hub within 300 ms");
});
