import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appYaml, BACKENDS, openArena, renderError, sourceYaml, type Arena } from "./fixture.js";

const cm = (name: string, bytes: number) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}}\ndata: {blob: "${"x".repeat(bytes)}"}\n`;

// One 50 MB object took the hub from 130 to 668 MB and was delivered: bundles and objects are bounded.
describe.concurrent.each(BACKENDS)("render size limits on $name", (backend) => {
  let arena: Arena;
  beforeAll(async () => {
    const many = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`many/cm-${i}.yaml`, cm(`part-${i}`, 300 * 1024)]));
    arena = await openArena("sizes", backend, { "one/big.yaml": cm("big", 2 * 1024 * 1024), ...many }, ["--max-bundle-size", "1MiB"]);
    await arena.apply([sourceYaml(arena), appYaml("one", "one", "prod"), appYaml("many", "many", "prod")].join("---\n"));
  });
  afterAll(async () => arena?.close());

  it.sequential("refuses an object over the object limit (1 MiB by default), naming it", async () => {
    expect(await renderError(arena, "one")).toMatch(/one\/big\.yaml.*ConfigMap\/big.*2\.0 MiB.*limit of 1\.0 MiB/);
  });

  it.sequential("refuses a bundle over --max-bundle-size", async () => {
    expect(await renderError(arena, "many")).toMatch(/bundle.*1\.5 MiB.*limit of 1\.0 MiB.*--max-bundle-size/);
  });
});
