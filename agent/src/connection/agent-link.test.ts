import * as grpc from "@grpc/grpc-js";
import { Writable } from "node:stream";
import { afterEach, expect, it, vi } from "vitest";
import { AgentService, createLogger, serviceDefinition } from "@gitfleet/shared";

afterEach(() => vi.unstubAllEnvs());

/** A hub whose first `silent` Connect calls (and first `silentRegisters` Register calls) are never answered; later ones are. */
async function hub(silent: number, silentRegisters = 0) {
  const server = new grpc.Server();
  let connects = 0;
  let registers = 0;
  server.addService(serviceDefinition(AgentService), {
    connect(call: grpc.ServerDuplexStream<unknown, unknown>) {
      if (++connects <= silent) return;
      call.write({ msg: { case: "welcome", value: { heartbeatIntervalSeconds: 60 } } });
    },
    register(_call: unknown, callback: grpc.sendUnaryData<unknown>) {
      if (++registers <= silentRegisters) return;
      callback(null, { credential: "issued" });
    },
  });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  return { address: `127.0.0.1:${port}`, connects: () => connects, registers: () => registers, close: () => server.forceShutdown() };
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

/** A link whose agent has no stored identity yet: it registers with a token first. */
async function registering(h: { address: string }) {
  const { createAgentClient, createHubClients, runLink } = await import("./agent-link.js");
  const saved: string[] = [];
  const hubs = createHubClients(h.address, (a) => createAgentClient(a, grpc.credentials.createInsecure()));
  const abort = new AbortController();
  const log = createLogger("test", new Writable({ write: (_chunk, _e, cb) => cb() }));
  const run = runLink({
    hub: h.address, name: "c1", token: "gft_x", labels: {}, agentVersion: "t", kubernetesVersion: "t", log,
    identities: { load: async () => undefined, save: async (id) => void saved.push(id.credential), describe: () => "memory" },
    credentials: grpc.credentials.createInsecure(),
    handler: { assignments() {}, sync() {}, link() {} },
  }, hubs, abort.signal);
  return { run, saved, abort, close: () => hubs.close() };
}

it("abandons a Register the hub never answers and registers again", async () => {
  vi.stubEnv("GITFLEET_REGISTER_TIMEOUT_MS", "300");
  vi.stubEnv("GITFLEET_RECONNECT_BASE_MS", "10");
  vi.resetModules();
  const h = await hub(0, 1);
  const link = await registering(h);
  const deadline = Date.now() + 10_000;
  while (link.saved.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  link.abort.abort();
  await link.run;
  link.close();
  h.close();
  expect(link.saved).toEqual(["issued"]);
  expect(h.registers()).toBe(2);
});

it("stops at once while a Register is unanswered", async () => {
  vi.resetModules();
  const h = await hub(0, Infinity);
  const link = await registering(h);
  const deadline = Date.now() + 10_000;
  while (h.registers() === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  link.abort.abort();
  await link.run; // without the cancel, this waits for ever and the test times out
  link.close();
  h.close();
  expect(link.saved).toEqual([]);
});
