// A hub at its limit of registrations and stream openings in progress answers UNAVAILABLE with a
// retry hint at once, and the agents' link code (the real agent's, also used by the protocol
// bench) waits the hint plus its jittered backoff and gets in. Limits of 1 make every wave shed.
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createAgentClient, createHubClients, runLink } from "@gitfleet/agent/dist/connection/agent-link.js";
import type { Identity } from "@gitfleet/agent/dist/connection/credentials.js";
import { createLogger } from "@gitfleet/shared";
import { cliOk, clusters, startHub, tempDir, type HubProc } from "../../lib/fleet.js";
import { stopAll, waitFor } from "../../lib/processes.js";

const AGENTS = 8;
let hub: HubProc;
const abort = new AbortController();
const lines: string[] = [];
const links: Promise<void>[] = [];

beforeAll(async () => {
  hub = await startHub(await tempDir("busy-hub"), [], { GITFLEET_MAX_REGISTRATIONS_IN_FLIGHT: "1", GITFLEET_MAX_CONNECTS_IN_FLIGHT: "1" });
});
afterAll(async () => {
  abort.abort();
  await Promise.allSettled(links);
  await stopAll();
});

function link(name: string, token: string): Promise<void> {
  let saved: Identity | undefined;
  const identities = { load: async () => saved, save: async (i: Identity) => void (saved = i), describe: () => "memory" };
  const log = createLogger("gitfleet-agent", { write: (line: string) => void lines.push(line) });
  const hubs = createHubClients(hub.grpc, (address) => createAgentClient(address, grpc.credentials.createInsecure()));
  const handler = { assignments: () => undefined, sync: () => undefined, link: () => undefined };
  return runLink({ hub: hub.grpc, name, token, labels: {}, agentVersion: "busy-test", kubernetesVersion: "v1.33.0", identities, credentials: grpc.credentials.createInsecure(), log, handler }, hubs, abort.signal)
    .finally(() => hubs.close());
}

it("answers a registration wave UNAVAILABLE with a retry hint, and every agent gets in by retrying", async () => {
  const token = (await cliOk(hub, ["token", "create", "--max-uses", String(AGENTS)])).trim();
  for (let i = 0; i < AGENTS; i++) links.push(link(`busy-${i}`, token));
  await waitFor("every agent Connected", async () => (await clusters(hub)).filter((c) => c.state === "Connected").length === AGENTS, 60_000);
  const busy = lines.filter((l) => l.includes('"reason":"UNAVAILABLE"') && l.includes("hub is busy"));
  expect(busy.length, lines.join("")).toBeGreaterThan(0);
  expect(busy.some((l) => l.includes("hub unreachable for registration; retrying"))).toBe(true);
  expect(hub.output()).toContain("hub busy: calls answered UNAVAILABLE with a retry hint");
  // Shed, never failed: no agent stopped and no call ended INTERNAL.
  expect(hub.output()).not.toContain("unexpected error in handler");
}, 90_000);
