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

  it.sequential("an operator changes apps but not tokens or clusters, and the audit log names its token", async () => {
    const operator = (await cliOk(arena.hub, ["admin-token", "create", "--role", "operator", "--description", "deploy bot"])).trim();
    const id = /^gfr_([0-9a-f]{12})\./.exec(operator)![1]!;
    expect((await as(operator, ["apply", "-f", "-"], definitions.replace("name: web", "name: web2"))).code).toBe(0);
    const events = JSON.parse(await cliOk(arena.hub, ["audit", "--app", "web2", "-o", "json"])) as { actor: string; action: string }[];
    expect(events.filter((e) => e.action === "app.apply").map((e) => e.actor)).toEqual([`admin-token:${id} (deploy bot)`]);
    expect(await cliOk(arena.hub, ["audit", "--app", "web2"])).toMatch(new RegExp(`admin-token:${id} \\(deploy bot\\)\\s+app\\.apply\\s+web2`));
    await denied(operator, ["token", "create"]);
    await denied(operator, ["token", "list"]);
    await denied(operator, ["cluster", "approve", "nope"]);
    await denied(operator, ["admin-token", "create", "--role", "viewer"]);
  });

  it.sequential("a revoked token stops working at once; only an admin lists or revokes, and never sees a secret", async () => {
    const operator = (await cliOk(arena.hub, ["admin-token", "create", "--role", "operator", "--description", "ci deploys"])).trim();
    const viewer = (await cliOk(arena.hub, ["admin-token", "create", "--role", "viewer"])).trim();
    const id = /^gfr_([0-9a-f]{12})\./.exec(operator)![1]!;
    const listed = JSON.parse(await cliOk(arena.hub, ["admin-token", "list", "-o", "json"])) as { id: string; role: string; description?: string }[];
    expect(listed.find((t) => t.id === id)).toMatchObject({ role: "operator", description: "ci deploys" });
    const table = await cliOk(arena.hub, ["admin-token", "list"]);
    expect(table).toMatch(new RegExp(`${id}\\s+operator`));
    expect(table).not.toContain(operator.split(".")[1]);
    await denied(operator, ["admin-token", "list"]);
    await denied(viewer, ["admin-token", "revoke", id]);

    expect((await as(operator, ["app", "list"])).code).toBe(0);
    expect(await cliOk(arena.hub, ["admin-token", "revoke", id])).toContain(`admin-token/${id} revoked`);
    const after = await as(operator, ["app", "list"]);
    expect(after.code).not.toBe(0);
    expect(after.stderr).toMatch(/UNAUTHENTICATED/);
    expect(await cliOk(arena.hub, ["admin-token", "list"])).not.toContain(id);
    // The viewer's token is untouched; revoking twice names the id and where to look.
    expect((await as(viewer, ["app", "list"])).code).toBe(0);
    const again = await cli(arena.hub, ["admin-token", "revoke", id]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain(`no admin API token with id "${id}"`);
    // Revoked with the hub's own admin token: that is the actor, the revoked token the subject.
    const events = JSON.parse(await cliOk(arena.hub, ["audit", "--all", "-o", "json"])) as { actor: string; action: string; subject?: string }[];
    expect(events.filter((e) => e.action === "admin-token.revoke" && e.subject === id).map((e) => e.actor)).toEqual(["hub-admin-token"]);
  });

  it.sequential("refuses an unknown role and an unknown token", async () => {
    const bad = await cli(arena.hub, ["admin-token", "create", "--role", "root"]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--role.*admin, operator or viewer/);
    const r = await as("gfr_nope.nope", ["app", "list"]);
    expect(r.stderr).toMatch(/UNAUTHENTICATED/);
  });
});
