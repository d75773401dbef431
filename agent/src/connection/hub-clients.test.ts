import { expect, it } from "vitest";
import { createHubClients, parseHubAddresses } from "./agent-link.js";
import type { AgentClient } from "./agent-link.js";

const fake = (made: string[]) => (address: string) => {
  made.push(address);
  return { close: () => made.push(`closed ${address}`) } as unknown as AgentClient;
};

it("parses one or several hub addresses, dropping blanks and repeats", () => {
  expect(parseHubAddresses("a:1")).toEqual(["a:1"]);
  expect(parseHubAddresses(" a:1, b:2,,a:1 ")).toEqual(["a:1", "b:2"]);
  expect(() => parseHubAddresses(" , ")).toThrow(/comma-separated/);
});

it("starts on the first hub and fails over to another one, never the one that failed", () => {
  const made: string[] = [];
  let r = 0;
  const randoms = [0, 0.99, 0.5];
  const hubs = createHubClients("a:1,b:2,c:3", fake(made), () => randoms[r++ % randoms.length]!);
  expect(hubs.address()).toBe("a:1");
  const first = hubs.current();
  expect(hubs.current()).toBe(first); // one channel per address, reused
  const seen = [];
  for (let i = 0; i < 6; i++) {
    const before = hubs.address();
    hubs.failover();
    expect(hubs.address()).not.toBe(before);
    seen.push(hubs.address());
    hubs.current();
  }
  expect(new Set(seen)).toEqual(new Set(["a:1", "b:2", "c:3"]));
  hubs.close();
  expect(made.filter((m) => m.startsWith("closed")).sort()).toEqual(["closed a:1", "closed b:2", "closed c:3"]);
});

it("stays on its only hub", () => {
  const hubs = createHubClients("a:1", fake([]));
  hubs.failover();
  expect(hubs.address()).toBe("a:1");
});
