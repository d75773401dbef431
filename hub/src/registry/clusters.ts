import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { ClusterSchema, ClusterState, validateLabel, validateName, type Cluster, type Labels } from "@gitfleet/shared";
import { clusterLabelSources, clusterNamespaces, isUniqueViolation, type Db } from "../store/index.js";
import { inChunks } from "../store/chunks.js";
import { approvedClusters } from "../store/rollout-reads.js";
import { HubError } from "../errors.js";
import { hashSecret, randomSecret } from "./secret-hash.js";
import { checkToken, consumeToken, returnToken, type TokenRow } from "./tokens.js";
import { fulfilled, rejected } from "../store/batch.js";
import { REGISTRATION_RETRY_WINDOW_MS } from "../config/intervals.js";

export type ClusterRow = Awaited<ReturnType<Db["cluster"]["findUniqueOrThrow"]>>;
export type StateName = "Pending" | "Connected" | "Disconnected";

export interface Registration {
  token: string;
  name: string;
  labels: Labels;
  agentVersion: string;
  kubernetesVersion: string;
}

/** Agent, then token, then admin labels; an admin's null removes a token or agent label. */
export function effectiveLabels(row: Pick<ClusterRow, "name" | "tokenLabels" | "agentLabels" | "adminLabels">): Labels {
  const { agent, token, admin } = clusterLabelSources(row);
  const merged: Record<string, string | null> = { ...agent, ...token, ...admin };
  return Object.fromEntries(Object.entries(merged).filter((e): e is [string, string] => e[1] !== null));
}

/** Approved clusters with their labels: what App targets select from. */
export async function approvedClusterFacts(db: Db): Promise<{ name: string; labels: Labels }[]> {
  return (await approvedClusters(db)).map((r) => ({ name: r.name, labels: effectiveLabels(r) }));
}

/**
 * Registers a cluster, safe to retry: the same token and name again, before the agent ever
 * connected and within a short window, get the same cluster with a fresh credential (the agent
 * died before saving the first). Three statements, no interactive transaction (a registration
 * wave of thousands of agents queued on one, and timed out): check the token, take one use
 * with a conditional increment, create the row; a lost race for a name or a taken name gives
 * the use back.
 */
export async function registerCluster(db: Db, reg: Registration, approvalRequired: boolean, now = new Date()): Promise<{ credential: string; row: ClusterRow }> {
  validateRegistration(reg);
  const credential = `gfc_${randomSecret()}`;
  let token: TokenRow;
  try {
    token = await consumeToken(db, reg.token, now);
  } catch (err) {
    // A one-use token spent by the first attempt: this may be its retry.
    const existing = (err as HubError).reason === "TOKEN_EXHAUSTED" ? await db.cluster.findUnique({ where: { name: reg.name } }) : null;
    if (!existing) throw err;
    return { credential, row: await reissue(db, existing, reg, credential, now) };
  }
  try {
    const row = await db.cluster.create({ data: newClusterRow(reg, token, credential, approvalRequired) });
    return { credential, row };
  } catch (err) {
    await returnToken(db, token.id);
    if (!isUniqueViolation(err)) throw err;
    // The name exists: this is a retry (or another registration of it won the race), or the name is taken.
    const winner = await db.cluster.findUnique({ where: { name: reg.name } });
    if (!winner) throw err;
    return { credential, row: await reissue(db, winner, reg, credential, now) };
  }
}

/**
 * Registers many clusters with few statements (what a registration wave costs the hub): per token,
 * read it, take all its uses in one conditional increment, insert the rows and their audit events
 * in one statement each. Names already registered or repeated in the batch (a retry whose first
 * answer was lost or is still queued, a taken name) and anything out of the ordinary (an unknown or
 * spent token) go through registerCluster one by one, for their exact answer, after the new names:
 * a few retries in a wave of hundreds must not send it all one by one.
 */
export async function registerClusters(db: Db, regs: readonly Registration[], approvalRequired: boolean, now = new Date()): Promise<PromiseSettledResult<{ credential: string; row: ClusterRow }>[]> {
  const known = new Set<string>();
  for (const chunk of inChunks([...new Set(regs.map((r) => r.name))])) {
    for (const r of await db.cluster.findMany({ where: { name: { in: chunk } }, select: { name: true } })) known.add(r.name);
  }
  const fresh = new Map<string, number[]>();
  const again: number[] = [];
  regs.forEach((r, i) => {
    if (known.has(r.name)) return void again.push(i);
    known.add(r.name);
    const indexes = fresh.get(r.token);
    if (indexes) indexes.push(i);
    else fresh.set(r.token, [i]);
  });
  const out: PromiseSettledResult<{ credential: string; row: ClusterRow }>[] = [];
  const settle = async (indexes: number[], register: (group: Registration[]) => Promise<PromiseSettledResult<{ credential: string; row: ClusterRow }>[]>) => {
    const results = await register(indexes.map((i) => regs[i]!));
    indexes.forEach((i, k) => (out[i] = results[k]!));
  };
  for (const indexes of fresh.values()) {
    await settle(indexes, async (group) => (await registerGroup(db, group, approvalRequired, now)) ?? (await oneByOne(db, group, approvalRequired, now)));
  }
  await settle(again, (group) => oneByOne(db, group, approvalRequired, now));
  return out;
}

/** In order, as if each had come alone: one that fails and gives its token use back leaves it to the next. */
async function oneByOne(db: Db, regs: readonly Registration[], approvalRequired: boolean, now: Date): Promise<PromiseSettledResult<{ credential: string; row: ClusterRow }>[]> {
  const out: PromiseSettledResult<{ credential: string; row: ClusterRow }>[] = [];
  for (const reg of regs) out.push(await registerOne(db, reg, approvalRequired, now).then(fulfilled, rejected));
  return out;
}

async function registerOne(db: Db, reg: Registration, approvalRequired: boolean, now: Date): Promise<{ credential: string; row: ClusterRow }> {
  const res = await registerCluster(db, reg, approvalRequired, now);
  await db.auditEvent.create({ data: registeredEvent(res.row) });
  return res;
}

const registeredEvent = (row: ClusterRow) => ({ actor: `cluster:${row.name}`, action: "cluster.register", subject: row.name, detail: JSON.stringify({ tokenId: row.tokenId, state: row.state }) });

/** The common case of a wave, in four statements; undefined when one of its items needs registerCluster. */
async function registerGroup(db: Db, regs: readonly Registration[], approvalRequired: boolean, now: Date): Promise<PromiseSettledResult<{ credential: string; row: ClusterRow }>[] | undefined> {
  if (regs.length < 2 || !regs.every(valid)) return undefined;
  const token = await checkToken(db, regs[0]!.token, now).catch(() => undefined);
  if (!token) return undefined;
  const n = regs.length;
  const taken = await db.token.updateMany({ where: token.maxUses > 0 ? { id: token.id, uses: { lte: token.maxUses - n } } : { id: token.id }, data: { uses: { increment: n } } });
  if (taken.count === 0) return undefined;
  const credentials = regs.map(() => `gfc_${randomSecret()}`);
  const rows = await db.cluster.createManyAndReturn({ data: regs.map((reg, i) => newClusterRow(reg, token, credentials[i]!, approvalRequired)) }).catch(async () => {
    // A name already registered (a retry, or taken): give the uses back and go one by one.
    await returnToken(db, token.id, n);
    return undefined;
  });
  if (!rows) return undefined;
  await db.auditEvent.createMany({ data: rows.map(registeredEvent) });
  const byName = new Map(rows.map((r) => [r.name, r]));
  return regs.map((reg, i) => {
    const row = byName.get(reg.name);
    return row ? fulfilled({ credential: credentials[i]!, row }) : rejected(new HubError("INTERNAL", `cluster "${reg.name}" was not stored`));
  });
}

function validateRegistration(reg: Registration): void {
  try {
    validateName("cluster", reg.name);
    for (const [k, v] of Object.entries(reg.labels)) validateLabel(k, v);
  } catch (err) {
    throw new HubError("INVALID_ARGUMENT", (err as Error).message);
  }
}

function valid(reg: Registration): boolean {
  try {
    validateRegistration(reg);
    return true;
  } catch {
    return false;
  }
}

function newClusterRow(reg: Registration, token: TokenRow, credential: string, approvalRequired: boolean) {
  return {
    name: reg.name,
    tokenLabels: token.labels,
    agentLabels: JSON.stringify(reg.labels),
    adminLabels: "{}",
    namespaces: "[]",
    credentialHash: hashSecret(credential),
    state: approvalRequired ? "Pending" : "Disconnected",
    approved: !approvalRequired,
    agentVersion: reg.agentVersion,
    kubernetesVersion: reg.kubernetesVersion,
    tokenId: token.id,
  };
}

/**
 * Marks clusters whose agents just opened a stream on this hub: Connected when approved, else
 * Pending. One statement per state for the lot (UPDATE … RETURNING); the rows as now stored,
 * undefined for a cluster deleted meanwhile.
 */
export async function markConnected(db: Db, hubId: string, clusters: readonly { name: string; approved: boolean }[], now = new Date()): Promise<(ClusterRow | undefined)[]> {
  const rows = new Map<string, ClusterRow>();
  for (const approved of [true, false]) {
    const names = clusters.filter((c) => c.approved === approved).map((c) => c.name);
    for (const chunk of inChunks(names)) {
      const updated = await db.cluster.updateManyAndReturn({ where: { name: { in: chunk } }, data: { state: approved ? "Connected" : "Pending", lastHeartbeat: now, hub: hubId } });
      for (const r of updated) rows.set(r.name, r);
    }
  }
  return clusters.map((c) => rows.get(c.name));
}

/** A registration retry gets the cluster a new credential; anything else finds the name taken. */
async function reissue(db: Db, row: ClusterRow, reg: Registration, credential: string, now: Date): Promise<ClusterRow> {
  const token = await checkToken(db, reg.token, now);
  const retry = row.tokenId === token.id && row.lastHeartbeat === null && now.getTime() - row.registeredAt.getTime() < REGISTRATION_RETRY_WINDOW_MS;
  if (retry) {
    // Still never connected at the write: a racing retry may win, then only the last credential works.
    const res = await db.cluster.updateMany({ where: { name: row.name, lastHeartbeat: null }, data: { credentialHash: hashSecret(credential) } });
    if (res.count === 1) return db.cluster.findUniqueOrThrow({ where: { name: row.name } });
  }
  throw new HubError("CLUSTER_NAME_TAKEN", `a cluster named "${reg.name}" is already registered: pick another --name, or delete it first with \`gitfleet cluster delete ${reg.name}\``);
}

/** Finds the cluster a credential (by its hash) belongs to, or says why there is none. */
async function clusterByHash(db: Db, hash: string): Promise<ClusterRow> {
  const row = await db.cluster.findUnique({ where: { credentialHash: hash } });
  if (row) return row;
  const tomb = await db.clusterTombstone.findUnique({ where: { credentialHash: hash } });
  if (tomb) {
    throw new HubError("CLUSTER_DELETED", `cluster "${tomb.name}" was deleted from the hub at ${tomb.deletedAt.toISOString()}: register again with a new token and a fresh state dir`);
  }
  throw new HubError("CLUSTER_UNKNOWN", "the cluster credential is not known to this hub: register with a bootstrap token");
}

/**
 * The clusters of many credential hashes (hashSecret of each credential) in one read: a fleet's
 * GetBundles after a commit. The few not found are answered one by one with typed errors.
 */
export async function authenticateClusters(db: Db, hashes: string[]): Promise<PromiseSettledResult<ClusterRow>[]> {
  const rows = await db.cluster.findMany({ where: { credentialHash: { in: [...new Set(hashes)] } } });
  const byHash = new Map(rows.map((r) => [r.credentialHash, r]));
  return Promise.allSettled(hashes.map((h) => byHash.get(h) ?? clusterByHash(db, h)));
}

export async function getCluster(db: Db, name: string): Promise<ClusterRow> {
  const row = await db.cluster.findUnique({ where: { name } });
  if (!row) throw new HubError("NOT_FOUND", `no cluster named "${name}" (see \`gitfleet cluster list\`)`);
  return row;
}

export async function labelCluster(db: Db, name: string, set: Labels, remove: string[]): Promise<ClusterRow> {
  const row = await getCluster(db, name);
  const { admin } = clusterLabelSources(row);
  try {
    for (const [k, v] of Object.entries(set)) {
      validateLabel(k, v);
      admin[k] = v;
    }
  } catch (err) {
    throw new HubError("INVALID_ARGUMENT", (err as Error).message);
  }
  for (const k of remove) admin[k] = null;
  return db.cluster.update({ where: { name }, data: { adminLabels: JSON.stringify(admin), generation: { increment: 1 }, generationAt: new Date() } });
}

export async function deleteCluster(db: Db, name: string): Promise<ClusterRow> {
  const row = await getCluster(db, name);
  await db.$transaction([
    db.clusterTombstone.create({ data: { credentialHash: row.credentialHash, name: row.name } }),
    db.cluster.delete({ where: { name } }),
  ]);
  return row;
}

const stateEnum: Record<string, ClusterState> = {
  Pending: ClusterState.PENDING,
  Connected: ClusterState.CONNECTED,
  Disconnected: ClusterState.DISCONNECTED,
};

export function clusterToProto(row: ClusterRow): Cluster {
  const { admin } = clusterLabelSources(row);
  return create(ClusterSchema, {
    name: row.name,
    labels: effectiveLabels(row),
    adminLabels: Object.fromEntries(Object.entries(admin).filter((e): e is [string, string] => e[1] !== null)),
    state: stateEnum[row.state] ?? ClusterState.UNSPECIFIED,
    agentVersion: row.agentVersion,
    kubernetesVersion: row.kubernetesVersion,
    lastHeartbeat: row.lastHeartbeat ? timestampFromDate(row.lastHeartbeat) : undefined,
    registeredAt: timestampFromDate(row.registeredAt),
    namespaces: clusterNamespaces(row),
  });
}
