import { describe, expect, it } from "vitest";
import { scrapeAnswer, serveMetrics } from "./metrics-http.js";

const source = { contentType: "text/plain; version=0.0.4", metrics: async () => "up 1\n" };

describe("metrics over HTTP", () => {
  it("serves GET /metrics only, on the port it picked", async () => {
    const server = await serveMetrics(source, "127.0.0.1:0", "--metrics-listen");
    try {
      const ok = await fetch(`http://${server.address}/metrics`);
      expect([ok.status, ok.headers.get("content-type"), await ok.text()]).toEqual([200, source.contentType, "up 1\n"]);
      expect((await fetch(`http://${server.address}/other`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it("answers 500 naming the cause when collecting fails, and names the flag of a bad address", async () => {
    const broken = { contentType: "x", metrics: () => Promise.reject(new Error("collector broke")) };
    expect(await scrapeAnswer(broken)).toMatchObject({ status: 500, body: "cannot collect metrics: collector broke\n" });
    await expect(serveMetrics(source, "nowhere", "--metrics-listen")).rejects.toThrow(/--metrics-listen must be HOST:PORT/);
  });
});
