import { randomBytes } from "node:crypto";
import { type Labels } from "@gitfleet/shared";
import type { Db, Prisma } from "../store/index.js";
import { DEFAULT_TOKEN_TTL_S, MAX_TOKEN_TTL_S } from "../config/intervals.js";
import { hashSecret, randomSecret } from "./secret-hash.js";
import { HubError } from "../errors.js";

export type TokenRow = Awaited<ReturnType<Db["token"]["findUniqueOrThrow"]>>;

export interface NewToken {
  labels: Labels;
  ttlSeconds?: number;
  maxUses?: number;
  description?: string;
}

// Format gft_<id>_<secret>: the id is public (list, revoke, audit), the secret is stored hashed.
const TOKEN_RE = /^gft_([0-9a-f]{12})_([A-Za-z0-9_-]{20,})$/;

export async function createToken(db: Db, spec: NewToken, now = new Date()): Promise<{ token: string; row: TokenRow }> {
  const ttl = spec.ttlSeconds && spec.ttlSeconds > 0 ? spec.ttlSeconds : DEFAULT_TOKEN_TTL_S;
  if (ttl > MAX_TOKEN_TTL_S) throw new HubError("INVALID_ARGUMENT", `token TTL ${ttl}s exceeds the maximum of ${MAX_TOKEN_TTL_S}s (365d)`);
  if ((spec.maxUses ?? 0) < 0) throw new HubError("INVALID_ARGUMENT", "max uses must be 0 (unlimited within the TTL) or more");
  const id = randomBytes(6).toString("hex");
  const secret = randomSecret();
  const row = await db.token.create({
    data: {
      id,
      secretHash: hashSecret(secret),
      labels: JSON.stringify(spec.labels),
      description: spec.description ?? "",
      expiresAt: new Date(now.getTime() + ttl * 1000),
      maxUses: spec.maxUses ?? 0,
    },
  });
  return { token: `gft_${id}_${secret}`, row };
}

/** Checks a bootstrap token and takes one use of it; throws a distinct HubError reason per failure. */
export async function consumeToken(db: Db | Prisma.TransactionClient, token: string, now = new Date()): Promise<TokenRow> {
  const row = await checkToken(db, token, now);
  // Conditional increment: two agents racing for the last use cannot both win.
  const taken = await db.token.updateMany({
    where: row.maxUses > 0 ? { id: row.id, uses: { lt: row.maxUses } } : { id: row.id },
    data: { uses: { increment: 1 } },
  });
  if (taken.count === 0) {
    throw new HubError("TOKEN_EXHAUSTED", `bootstrap token ${row.id} has been used ${row.maxUses} time(s), its maximum: create a new one`);
  }
  return row;
}

/** Gives back uses taken by consumeToken (the registrations they were for did not happen). */
export async function returnToken(db: Db | Prisma.TransactionClient, id: string, uses = 1): Promise<void> {
  await db.token.updateMany({ where: { id, uses: { gte: uses } }, data: { uses: { decrement: uses } } });
}

/** A known, unrevoked, unexpired bootstrap token (its uses are not looked at). */
export async function checkToken(db: Db | Prisma.TransactionClient, token: string, now = new Date()): Promise<TokenRow> {
  const m = TOKEN_RE.exec(token.trim());
  const row = m ? await db.token.findUnique({ where: { id: m[1]! } }) : null;
  if (!m || !row || row.secretHash !== hashSecret(m[2]!)) {
    throw new HubError("TOKEN_UNKNOWN", "bootstrap token is not known to this hub: create one with `gitfleet token create`");
  }
  if (row.revoked) throw new HubError("TOKEN_REVOKED", `bootstrap token ${row.id} was revoked: create a new one with \`gitfleet token create\``);
  if (row.expiresAt.getTime() <= now.getTime()) {
    throw new HubError("TOKEN_EXPIRED", `bootstrap token ${row.id} expired at ${row.expiresAt.toISOString()}: create a new one with \`gitfleet token create\``);
  }
  return row;
}

export async function revokeToken(db: Db, id: string): Promise<void> {
  const res = await db.token.updateMany({ where: { id }, data: { revoked: true } });
  if (res.count === 0) throw new HubError("NOT_FOUND", `no token with id "${id}" (see \`gitfleet token list\`)`);
}
