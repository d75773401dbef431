import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { agentHelmValues, splitImage } from "./agent-helm-values.js";

describe("agent chart values", () => {
  it.each([
    ["gitfleet/agent:0.1.0", { repository: "gitfleet/agent", tag: "0.1.0" }],
    ["registry.local:5000/gitfleet/agent", { repository: "registry.local:5000/gitfleet/agent" }],
    ["registry.local:5000/gitfleet/agent:1.2", { repository: "registry.local:5000/gitfleet/agent", tag: "1.2" }],
    ["gitfleet/agent@sha256:abc", { repository: "gitfleet/agent", digest: "sha256:abc" }],
  ])("splits %s into repository, tag and digest", (image, want) => {
    expect(splitImage(image)).toEqual(want);
  });

  it("carries what the manifest carries, in the chart's value names", () => {
    const text = agentHelmValues({ name: "eu-1", hub: "hub.example:7443", token: "gft_a_b", labels: { env: "prod" }, namespaces: ["apps"], image: "gitfleet/agent:0.1.0" });
    expect(text.split("\n")[0]).toMatch(/^# .*keep it secret/);
    expect(parse(text)).toEqual({
      image: { repository: "gitfleet/agent", tag: "0.1.0" },
      hub: { address: "hub.example:7443" },
      cluster: { name: "eu-1", labels: { env: "prod" } },
      bootstrapToken: { value: "gft_a_b" },
      rbac: { namespaces: ["apps"] },
    });
  });
});
