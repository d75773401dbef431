import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, cliOk } from "../../lib/fleet.js";
import { appYaml, BACKENDS, openArena, sourceYaml, type Arena } from "./fixture.js";

// Separately issued admin tokens: admin (everything), operator (apps and rollouts, no tokens or
// clusters), viewer (read-only).
describe.concurrent.each(BACKENDS)("admin roles on $name", (backend) => {
  let arena: Arena;
  let definitions: string;
  const as = (token: string, args: string[], stdin?: string) => cli(arena.hub, ["--token", token, ...args], stdin);
  const denied = async (token: string, args: string[], stdin?: string) => {
    const r = await as(token, args, stdin);
    expect(r.code, `${args.join(" ")} should be refused`).not.toBe(0);
    expect(r.stderr).toMatch(/PERMISSION_DENIED|needs the (operator|admin) role/);
  };
  beforeAll(async () => {
    arena = await openArena("roles", backend, { "web/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n" });
    definitions = `${sourceYaml(arena)}---\n${appYaml("web", "web", "prod")}`;
  });
  afterAll(async () => arena?.close());

  it.sequential("a viewer reads and changes nothing", async () => {
    const viewer = (await cliOk(arena.hub, ["admin-token", "create", "--role", "viewer"])).trim();
    await arena.apply(definitions);
    expect((await as(viewer, ["app", "list", "-o", "json"])).code).toBe(0);
    expect((await as(viewer, ["cluster", "list"])).code).toBe(0);
    await denied(viewer, ["apply", "-f", "-"], definitions);
    await denied(viewer, ["delete", "app", "web"]);
    await denied(viewer, ["token", "create"]);
    await denied(viewer, ["admin-token", "create", "--role", "admin"]);
  });

  it.sequential("an operator changes apps but not tokens or clusters", async () => {
    const operator = (await cliOk(arena.hub, ["admin-token", "create", "--role", "operator"])).trim();
    expect((await as(operator, ["apply", "-f", "-"], definitions.replace("name: web", "name: web2"))).code).toBe(0);
    await denied(operator, ["token", "create"]);
    await denied(operator, ["token", "list"]);
    await denied(operator, ["cluster", "approve", "nope"]);
    await denied(operator, ["admin-token", "create", "--role", "viewer"]);
  });

  it.sequential("refuses an unknown role and an unknown token", async () => {
    const bad = await cli(arena.hub, ["admin-token", "create", "--role", "root"]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--role.*admin, operator or viewer/);
    const r = await as("gfr_nope.nope", ["app", "list"]);
    expect(r.stderr).toMatch(/UNAUTHENTICATED/);
  });
});
