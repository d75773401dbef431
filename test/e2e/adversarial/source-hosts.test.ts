import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RpcError } from "@gitfleet/shared";
import { cli } from "../../lib/fleet.js";
import { waitFor } from "../../lib/processes.js";
import { admin, listApps, showSource } from "../../lib/admin.js";
import { appYaml, appState, BACKENDS, openArena, sourceYaml, type Arena } from "./fixture.js";

// A hub with --source-hosts 127.0.0.1: whoever may apply Sources cannot point one anywhere else.
describe.concurrent.each(BACKENDS)("--source-hosts on $name", (backend) => {
  let arena: Arena;
  // The arena's own Git daemon by another name: only the host differs from an allowed Source.
  const elsewhere = () => `${sourceYaml({ repoUrl: arena.repoUrl.replace("127.0.0.1", "localhost") }).replace("name: apps", "name: elsewhere")}---\n${appYaml("web", "web", "prod").replace("source: apps", "source: elsewhere")}`;
  const refusal = `Source/elsewhere: spec.url: host "localhost" is not in the hub's --source-hosts`;
  beforeAll(async () => {
    arena = await openArena("hosts", backend, { "web/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n" }, ["--source-hosts", "127.0.0.1"]);
  });
  afterAll(async () => arena?.close());

  it.sequential("refuses a Source on another host when it is applied (CLI, dry run, gRPC), naming the host and the flag, storing nothing", async () => {
    for (const args of [["apply", "-f", "-"], ["apply", "--dry-run", "-f", "-"]]) {
      const r = await cli(arena.hub, args, elsewhere());
      expect(r.code, args.join(" ")).not.toBe(0);
      expect(r.stderr).toContain(refusal);
      expect(r.stderr).not.toMatch(/internal error|INTERNAL/);
    }
    const { api, metadata } = admin(arena.hub);
    const err = await api.applyResources({ yaml: elsewhere(), origin: "grpc" }, { metadata, deadlineMs: 30_000 }).then(() => undefined, (e: unknown) => RpcError.from(e));
    expect(err).toMatchObject({ reason: "INVALID_ARGUMENT", message: expect.stringContaining(refusal) });
    expect((await api.listSources({}, { metadata, deadlineMs: 30_000 })).sources.map((s) => s.name)).toEqual([]);
    expect(await listApps(arena.hub)).toEqual([]);
  });

  it.sequential("delivers from the allowed host", async () => {
    await arena.apply(`${sourceYaml(arena)}---\n${appYaml("web", "web", "prod")}`);
    const head = arena.repo.git("rev-parse", "HEAD");
    await waitFor(`app web at ${head.slice(0, 12)}`, async () => (await appState(arena.hub, "web"))?.revision === head, 30_000);
  });
});

// Hosts are names: one the list allows must still not lead to the hub's own machine unless its address is listed.
describe("--source-hosts localhost (a name, not its address)", () => {
  let arena: Arena;
  beforeAll(async () => {
    arena = await openArena("names", BACKENDS[0]!, { "web/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n" }, ["--source-hosts", "localhost"]);
  });
  afterAll(async () => arena?.close());

  it("stores the Source, and its fetch is refused naming the loopback address localhost resolves to", async () => {
    const url = arena.repoUrl.replace("127.0.0.1", "localhost");
    await arena.apply(sourceYaml({ repoUrl: url }));
    const error = await waitFor("the Source's fetch error", async () => (await showSource(arena.hub, "apps")).error, 30_000);
    expect(error).toMatch(new RegExp(`^fetching source "apps" from ${url}: host "localhost" resolves to (127\\.0\\.0\\.1|::1), an internal address \\(loopback, link-local or metadata\\) that is not in the hub's --source-hosts`));
  });
});
