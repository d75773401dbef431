import { expect, it } from "vitest";
import { splitHostPort } from "./host-port.js";

it("splits HOST:PORT, empty host meaning all interfaces, and refuses anything else", () => {
  expect(splitHostPort("127.0.0.1:0", "--x")).toEqual({ host: "127.0.0.1", port: 0 });
  expect(splitHostPort(":9090", "--x")).toEqual({ host: "0.0.0.0", port: 9090 });
  expect(() => splitHostPort("localhost", "--metrics-listen")).toThrow(/--metrics-listen must be HOST:PORT/);
  expect(() => splitHostPort("a:70000", "--x")).toThrow();
});
