import { toJson } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { AdminTokenSchema, formatLabels, parseLabels, TokenSchema } from "@gitfleet/shared";
import type { AdminConnection } from "./connection.js";
import { printJson, printTable } from "./output.js";

export async function createToken(conn: AdminConnection, opts: { labels?: string; ttlMs?: number; maxUses?: number; description?: string }): Promise<void> {
  const { token } = await conn.client.createToken(
    { labels: parseLabels(opts.labels), ttlSeconds: BigInt(Math.round((opts.ttlMs ?? 0) / 1000)), maxUses: opts.maxUses ?? 0, description: opts.description ?? "" },
    { metadata: conn.metadata },
  );
  console.log(token);
}

export async function listTokens(conn: AdminConnection, output: string | undefined): Promise<void> {
  const { tokens } = await conn.client.listTokens({}, { metadata: conn.metadata });
  if (output === "json") return printJson(tokens.map((t) => toJson(TokenSchema, t)));
  const now = Date.now();
  printTable(
    ["ID", "LABELS", "USES", "EXPIRES", "STATE", "DESCRIPTION"],
    tokens.map((t) => {
      const expires = timestampDate(t.expiresAt!);
      const state = t.revoked ? "Revoked" : expires.getTime() <= now ? "Expired" : t.maxUses > 0 && t.uses >= t.maxUses ? "Exhausted" : "Active";
      return [t.id, formatLabels(t.labels) || "<none>", t.maxUses > 0 ? `${t.uses}/${t.maxUses}` : `${t.uses}`, expires.toISOString(), state, t.description];
    }),
  );
}

export async function revokeToken(conn: AdminConnection, id: string): Promise<void> {
  await conn.client.revokeToken({ id }, { metadata: conn.metadata });
  console.log(`token/${id} revoked`);
}

export async function listAdminTokens(conn: AdminConnection, output: string | undefined): Promise<void> {
  const { tokens } = await conn.client.listAdminTokens({}, { metadata: conn.metadata });
  if (output === "json") return printJson(tokens.map((t) => toJson(AdminTokenSchema, t)));
  printTable(
    ["ID", "ROLE", "CREATED", "DESCRIPTION"],
    tokens.map((t) => [t.id, t.role, timestampDate(t.createdAt!).toISOString(), t.description]),
  );
}

export async function revokeAdminToken(conn: AdminConnection, id: string): Promise<void> {
  await conn.client.revokeAdminToken({ id }, { metadata: conn.metadata });
  console.log(`admin-token/${id} revoked`);
}
