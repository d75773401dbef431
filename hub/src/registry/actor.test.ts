import { expect, test } from "vitest";
import { ACTOR_DESCRIPTION_MAX, adminTokenActor, HUB_ADMIN_ACTOR } from "./actor.js";

test("an issued admin token is its id and description, on one line", () => {
  expect(adminTokenActor("0a1b2c3d4e5f", "ci deploys")).toBe("admin-token:0a1b2c3d4e5f (ci deploys)");
  expect(adminTokenActor("0a1b2c3d4e5f", "  ci\n\tdeploys\u0007 (team a) ")).toBe("admin-token:0a1b2c3d4e5f (ci deploys (team a))");
});

test("a token without a description is its id alone", () => {
  expect(adminTokenActor("0a1b2c3d4e5f", "")).toBe("admin-token:0a1b2c3d4e5f");
  expect(adminTokenActor("0a1b2c3d4e5f", " \n ")).toBe("admin-token:0a1b2c3d4e5f");
});

test("a long description is cut, so the audit table stays readable", () => {
  const actor = adminTokenActor("0a1b2c3d4e5f", "x".repeat(500));
  expect(actor).toBe(`admin-token:0a1b2c3d4e5f (${"x".repeat(ACTOR_DESCRIPTION_MAX - 1)}…)`);
});

test("the hub's own admin token is named apart from every issued one", () => {
  expect(HUB_ADMIN_ACTOR).not.toMatch(/^admin-token:/);
});
