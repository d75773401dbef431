// The errors PostgreSQL's driver really throws when the hub's pool is exhausted or the database
// goes away (127.0.0.1:5432, or GITFLEET_TEST_PG_URL) reach clients as UNAVAILABLE, not INTERNAL.
import { createServer } from "node:net";
import { afterAll, expect, it } from "vitest";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../../generated/prisma/postgres/client.js";
import { HubError } from "../errors.js";
import { toRpcError, typedRpcError } from "./errors.js";

const PG_URL = process.env.GITFLEET_TEST_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
const clients: PrismaClient[] = [];

function client(connectionString: string, max: number): PrismaClient {
  const db = new PrismaClient({ adapter: new PrismaPg({ connectionString, max, connectionTimeoutMillis: 300 }) });
  clients.push(db);
  return db;
}

async function thrown(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => expect.fail("the query succeeded"),
    (err: unknown) => err,
  );
}

afterAll(async () => {
  await Promise.all(clients.map((c) => c.$disconnect()));
});

it("answers UNAVAILABLE, naming the pool flag, when no pooled connection frees up in time", async () => {
  const db = client(PG_URL, 1);
  let release!: () => void;
  const held = db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT 1`;
    await new Promise<void>((r) => (release = r));
  });
  await expect.poll(() => release, { timeout: 5_000 }).toBeDefined();
  const err = await thrown(db.$queryRaw`SELECT 1`);
  release();
  await held;
  const rpc = typedRpcError(err);
  expect(rpc?.reason).toBe("UNAVAILABLE");
  expect(rpc?.message).toMatch(/--database-pool-size/);
});

it("answers UNAVAILABLE when the database cannot be reached", async () => {
  const port = await closedPort();
  const url = new URL(PG_URL);
  url.port = String(port);
  const err = await thrown(client(url.toString(), 2).cluster.count());
  expect(typedRpcError(err)?.reason).toBe("UNAVAILABLE");
});

it("answers UNAVAILABLE when the server ends the connection mid-query", async () => {
  const db = client(PG_URL, 2);
  const tag = `gitfleet_errors_test_${process.pid}`;
  const slow = thrown(db.$queryRawUnsafe(`SELECT pg_sleep(30)::text AS ${tag}`));
  const killer = client(PG_URL, 1);
  await expect
    .poll(async () => (await killer.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE query LIKE '%AS ${tag}' AND pid <> pg_backend_pid()`))[0]!.n, { timeout: 5_000 })
    .toBe(1n);
  const rpc = typedRpcError(await slow);
  expect(rpc?.reason).toBe("UNAVAILABLE");
  expect(rpc?.message).toMatch(/terminating connection/);
});

it("keeps domain errors as they are and sends anything else INTERNAL with its cause logged", () => {
  expect(typedRpcError(new HubError("CLUSTER_PENDING", "cluster a awaits approval"))?.reason).toBe("CLUSTER_PENDING");
  const unique = Object.assign(new Error("Unique constraint failed"), { code: "P2002" });
  expect(typedRpcError(unique)).toBeUndefined();
  const logged: unknown[] = [];
  expect(toRpcError(unique, (e) => logged.push(e)).reason).toBe("INTERNAL");
  expect(logged).toEqual([unique]);
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}
