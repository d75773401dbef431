import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openStore, type Store } from "../store/index.js";
import { markConnected, registerCluster, registerClusters } from "./clusters.js";
import { createToken } from "./tokens.js";
import { HubError } from "../errors.js";

let dir = "";
let store: Store;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "gitfleet-regbatch-"));
  store = await openStore({ dataDir: dir });
});
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const reg = (token: string, name: string) => ({ token, name, labels: { env: "prod" }, agentVersion: "v1", kubernetesVersion: "v1.33.0" });
const reasons = (out: PromiseSettledResult<unknown>[]) => out.map((r) => (r.status === "fulfilled" ? "ok" : (r.reason as HubError).reason));

describe("registerClusters", () => {
  it("registers a batch with one token use each, an audit event each, and distinct credentials", async () => {
    const { token, row } = await createToken(store.db, { labels: { tier: "a" }, maxUses: 3 });
    const out = await registerClusters(store.db, ["b1", "b2", "b3"].map((n) => reg(token, n)), false);
    expect(reasons(out)).toEqual(["ok", "ok", "ok"]);
    const creds = out.map((r) => (r.status === "fulfilled" ? r.value.credential : ""));
    expect(new Set(creds).size).toBe(3);
    expect((await store.db.token.findUniqueOrThrow({ where: { id: row.id } })).uses).toBe(3);
    expect(await store.db.auditEvent.count({ where: { action: "cluster.register", subject: { in: ["b1", "b2", "b3"] } } })).toBe(3);
    const b2 = await store.db.cluster.findUniqueOrThrow({ where: { name: "b2" } });
    expect([b2.tokenLabels, b2.agentLabels, b2.state, b2.approved]).toEqual(['{"tier":"a"}', '{"env":"prod"}', "Disconnected", true]);
  });

  it("answers each item as registerCluster would when the batch cannot go in one piece", async () => {
    const { token, row } = await createToken(store.db, { labels: {}, maxUses: 2 });
    const { token: other } = await createToken(store.db, { labels: {} });
    await registerCluster(store.db, reg(other, "taken"), false);
    // Three asks of a two-use token, one of them for a name another token registered, one invalid.
    const out = await registerClusters(store.db, [reg(token, "c1"), reg(token, "taken"), reg(token, "c2"), reg(token, "Bad Name")], false);
    expect(reasons(out)).toEqual(["ok", "CLUSTER_NAME_TAKEN", "ok", "INVALID_ARGUMENT"]);
    expect((await store.db.token.findUniqueOrThrow({ where: { id: row.id } })).uses).toBe(2);
  });
});

describe("registerClusters in a wave with retries", () => {
  it("registers the new names together and answers a retry and a repeated name one by one", async () => {
    const { token, row } = await createToken(store.db, { labels: {}, maxUses: 10 });
    const first = await registerCluster(store.db, reg(token, "w0"), false);
    const creates = vi.spyOn(store.db.cluster, "create");
    // w0 again (its first answer was lost), w2 twice (retried while still queued).
    const out = await registerClusters(store.db, [reg(token, "w1"), reg(token, "w0"), reg(token, "w2"), reg(token, "w3"), reg(token, "w2")], false);
    expect(reasons(out)).toEqual(["ok", "ok", "ok", "ok", "ok"]);
    const value = (i: number) => (out[i] as PromiseFulfilledResult<{ credential: string; row: { name: string } }>).value;
    expect([0, 1, 2, 3, 4].map((i) => value(i).row.name)).toEqual(["w1", "w0", "w2", "w3", "w2"]);
    expect(value(1).credential).not.toBe(first.credential);
    // Only the retries went through registerCluster (each tries create, finds the name, reissues).
    expect(creates.mock.calls.map((c) => c[0].data.name)).toEqual(["w0", "w2"]);
    creates.mockRestore();
    expect((await store.db.token.findUniqueOrThrow({ where: { id: row.id } })).uses).toBe(4);
  });
});

describe("markConnected", () => {
  it("marks approved clusters Connected and others Pending on this hub, undefined for a missing one", async () => {
    const { token } = await createToken(store.db, { labels: {} });
    await registerCluster(store.db, reg(token, "m1"), false);
    await registerCluster(store.db, reg(token, "m2"), true);
    const rows = await markConnected(store.db, "hub-a", [{ name: "m1", approved: true }, { name: "gone", approved: true }, { name: "m2", approved: false }]);
    expect(rows.map((r) => r && [r.name, r.state, r.hub])).toEqual([["m1", "Connected", "hub-a"], undefined, ["m2", "Pending", "hub-a"]]);
    expect(rows[0]?.lastHeartbeat).toBeInstanceOf(Date);
  });
});
