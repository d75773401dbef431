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

it("sends a heartbeat only after a heartbeat interval with nothing else sent", async () => {
  const { createAgentClient, createHubClients, runLink } = await import("./agent-link.js");
  const server = new grpc.Server();
  const received: { kind: string; at: number }[] = [];
  server.addService(serviceDefinition(AgentService), {
    connect(call: grpc.ServerDuplexStream<{ msg: { case: string } }, unknown>) {
      call.on("data", (m) => received.push({ kind: m.msg.case, at: Date.now() }));
      call.write({ msg: { case: "welcome", value: { heartbeatIntervalSeconds: 2 } } });
    },
  });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  const address = `127.0.0.1:${port}`;
  const hubs = createHubClients(address, (a) => createAgentClient(a, grpc.credentials.createInsecure()));
  const abort = new AbortController();
  let reporting: NodeJS.Timeout | undefined;
  let stoppedAt = 0;
  const run = runLink({
    hub: address, name: "c1", labels: {}, agentVersion: "t", kubernetesVersion: "t", log: createLogger("test", new Writable({ write: (_c, _e, cb) => cb() })),
    identities: { load: async () => ({ name: "c1", hub: address, credential: "x" }), save: async () => undefined, describe: () => "memory" },
    credentials: grpc.credentials.createInsecure(),
    handler: {
      assignments() {},
      sync() {},
      link(send) {
        if (!send || reporting) return;
        // A status report every 200 ms for 3 s: more than an interval (2 s) without a heartbeat.
        const until = Date.now() + 3000;
        reporting = setInterval(() => {
          if (Date.now() < until) return send({ msg: { case: "status", value: { apps: [] } } });
          clearInterval(reporting);
          stoppedAt = Date.now();
        }, 200);
      },
    },
  }, hubs, abort.signal);
  const deadline = Date.now() + 10_000;
  while (!received.some((m) => m.kind === "heartbeat") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  abort.abort();
  await run;
  clearInterval(reporting);
  hubs.close();
  server.forceShutdown();
  const statuses = received.filter((m) => m.kind === "status");
  const beats = received.filter((m) => m.kind === "heartbeat");
  expect(statuses.length).toBeGreaterThan(10);
  expect(beats.length).toBeGreaterThan(0);
  // The first heartbeat comes after the reports stopped, an interval after the last one.
  expect(stoppedAt).toBeGreaterThan(0);
  expect(beats[0]!.at).toBeGreaterThanOrEqual(statuses.at(-1)!.at + 2000 - 50);
});
