import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../lib/processes.js";

// The images cannot be built in npm test (no registry serves base images here; see
// deploy/images/build-offline.sh for the buildah build). This holds the Dockerfiles to the rules
// the charts rely on, so a change that breaks them fails here rather than in a cluster.
const dockerfile = (ws: string) => readFileSync(join(ROOT, ws, "Dockerfile"), "utf8");
const instructions = (text: string) => text.split("\n").filter((l) => /^[A-Z]+\s/.test(l));

describe.each(["hub", "agent"])("%s/Dockerfile", (ws) => {
  const text = dockerfile(ws);
  const lines = instructions(text);

  it("builds from a base pinned to an exact version or digest, in stages", () => {
    const base = /^ARG NODE_IMAGE=(\S+)$/m.exec(text)?.[1];
    expect(base).toMatch(/^docker\.io\/library\/node:\d+\.\d+\.\d+-[a-z]+-slim$|@sha256:[0-9a-f]{64}$/);
    expect(lines.filter((l) => l.startsWith("FROM "))).toEqual([`FROM \${NODE_IMAGE} AS build`, "FROM ${NODE_IMAGE}"]);
  });

  it("installs with scripts/assemble-app.sh: npm ci --omit=dev of only this workspace's tree", () => {
    expect(text).toContain(`scripts/assemble-app.sh ${ws} /app`);
    expect(text).toContain("COPY --from=build /app /app");
  });

  it("runs as the non-root user the charts set, without HEALTHCHECK", () => {
    expect(lines.filter((l) => l.startsWith("USER "))).toEqual(["USER 10001:10001"]);
    const chart = readFileSync(join(ROOT, "deploy/charts", `gitfleet-${ws}`, "templates/deployment.yaml"), "utf8");
    expect(chart).toContain("runAsUser: 10001");
    expect(lines.some((l) => l.startsWith("HEALTHCHECK"))).toBe(false);
    expect(lines.find((l) => l.startsWith("ENTRYPOINT "))).toBe(`ENTRYPOINT ["node", "/app/${ws}/bin/gitfleet-${ws}.js"]`);
  });
});

describe("hub/Dockerfile", () => {
  it("carries git, kubectl (with kustomize) and helm for rendering", () => {
    const text = dockerfile("hub");
    expect(text).toMatch(/apt-get install [^\n]*\bgit\b/);
    expect(text).toContain("node scripts/tools.mjs helm kubectl --dir /tools");
    expect(text).toContain("COPY --from=build /tools/helm /tools/kubectl /usr/local/bin/");
  });
});
