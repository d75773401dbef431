import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { CreateAdminTokenRequestSchema, LabelClusterRequestSchema, RevokeAdminTokenRequestSchema } from "@gitfleet/shared";
import { pino } from "pino";
import { afterAll, beforeAll, expect, test } from "vitest";
import { openStore, type Store } from "../../store/index.js";
import { authorizeAdmin, createAdminToken } from "../../registry/admin-roles.js";
import { listAudit } from "../../registry/audit.js";
import { addCluster } from "../../delivery/test-harness.js";
import { localCoordination } from "../../ha/index.js";
import { adminApi, type DeliveryAdmin } from "./admin-service.js";
import { Sessions } from "./sessions.js";

const dir = mkdtempSync(join(tmpdir(), "gitfleet-admin-api-"));
const ROOT = "gfa_root-secret";
let store: Store;
let api: ReturnType<typeof adminApi>;

beforeAll(async () => {
  store = await openStore({ dataDir: dir });
  await addCluster(store.db, "eu-1", {});
  const delivery = { clusterChanged: async () => {} } as unknown as DeliveryAdmin;
  api = adminApi({ db: store.db, log: pino({ level: "silent" }), sessions: new Sessions(), adminToken: ROOT, delivery, credentials: { forget: () => {} }, feed: localCoordination().feed });
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** As a transport does: authenticate the bearer token, then call the handler as that caller. */
async function as(token: string, method: string) {
  return { signal: new AbortController().signal, actor: await authorizeAdmin(store.db, ROOT, token, method) };
}

const newest = async () => (await listAudit(store.db, {})).events.at(-1)!;

test("a change made with an issued token is audited as that token, by id and description, never its secret", async () => {
  const { token, id } = await createAdminToken(store.db, "admin", "alice\nlaptop");
  await api.labelCluster(create(LabelClusterRequestSchema, { name: "eu-1", set: { tier: "gold" } }), await as(token, "LabelCluster"));
  const event = await newest();
  expect(event).toMatchObject({ actor: `admin-token:${id} (alice laptop)`, action: "cluster.label", subject: "eu-1" });
  expect([event.actor, event.subject, event.detailJson].join(" ")).not.toContain(token.split(".")[1]);
});

test("the hub's own admin token is its own actor, and the token an admin revokes is the subject, not the actor", async () => {
  const created = await api.createAdminToken(create(CreateAdminTokenRequestSchema, { role: "operator", description: "ci" }), await as(ROOT, "CreateAdminToken"));
  expect(await newest()).toMatchObject({ actor: "hub-admin-token", action: "admin-token.create", subject: created.id });
  const { token, id } = await createAdminToken(store.db, "admin", "");
  await api.revokeAdminToken(create(RevokeAdminTokenRequestSchema, { id: created.id }), await as(token, "RevokeAdminToken"));
  expect(await newest()).toMatchObject({ actor: `admin-token:${id}`, action: "admin-token.revoke", subject: created.id });
});
