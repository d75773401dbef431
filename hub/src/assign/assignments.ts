import type { MessageInitShape } from "@bufbuild/protobuf";
import type { AssignmentSchema, ConnectResponseSchema, InlineBundleSchema } from "@gitfleet/shared";
import { agentOptions, type AppSpec } from "../definitions/index.js";
import type { AgentStreams, Ctx } from "../delivery/context.js";
import { MAX_INLINE_BUNDLE_BYTES, MAX_INLINE_BUNDLES_PER_SET_BYTES } from "../config/limits.js";
import { inChunks } from "../store/chunks.js";
import { deepFreeze } from "../lib/deep-freeze.js";
import { runInTransaction } from "../store/direct-sql.js";
import { bumpGenerations, deleteAssignments, insertAssignments, readAssignments, readGenerations, updateAssignments } from "../store/assignment-rows.js";

export type Row = { clusterName: string; app: string; target: string; revision: string; bundleDigest: string; previousDigest?: string };

/**
 * The statements (for runInTransaction) that make the stored rows `existing` equal to `desired`, and the clusters whose
 * rows change. Rows that change the same way (a new revision for a whole target) go in one
 * UPDATE, so a commit costs a few statements per target, not per cluster.
 */
export function diffWrites(existing: Row[], desired: Row[]) {
  const id = (r: Row) => `${r.clusterName}\0${r.app}`;
  const before = new Map(existing.map((r) => [id(r), r]));
  const after = new Set(desired.map(id));
  const create = desired.filter((r) => !before.has(id(r)));
  const remove = existing.filter((r) => !after.has(id(r)));
  const updates = new Map<string, Row[]>();
  for (const r of desired) {
    const old = before.get(id(r));
    if (!old || (old.target === r.target && old.revision === r.revision && old.bundleDigest === r.bundleDigest)) continue;
    // The digest being replaced stays readable by the cluster (rollback); nothing older does.
    const previousDigest = old.bundleDigest === r.bundleDigest ? (old.previousDigest ?? "") : old.bundleDigest;
    const group = `${r.app}\0${r.target}\0${r.revision}\0${r.bundleDigest}\0${previousDigest}`;
    const rows = updates.get(group);
    // Appended in place: a commit puts every cluster of a target in one group.
    if (rows) rows.push({ ...r, previousDigest });
    else updates.set(group, [{ ...r, previousDigest }]);
  }
  const byApp = groupBy(remove, (r) => r.app);
  const at = new Date();
  const writes = [
    ...[...byApp].flatMap(([app, rows]) => inChunks(rows.map((r) => r.clusterName)).map((names) => deleteAssignments(app, names))),
    ...[...updates.values()].flatMap((rows) => inChunks(rows.map((r) => r.clusterName)).map((names) => updateAssignments(rows[0]!.app, names, { target: rows[0]!.target, revision: rows[0]!.revision, bundleDigest: rows[0]!.bundleDigest, previousDigest: rows[0]!.previousDigest ?? "" }, at))),
    ...insertAssignments(create.map((r) => ({ ...r, previousDigest: r.previousDigest ?? "" })), at),
  ];
  return { writes, changed: new Set([...create, ...remove, ...[...updates.values()].flat()].map((r) => r.clusterName)) };
}

/** The Apps a cluster may report on: those assigned to it, and those it still has a status row for (pruning). */
export async function reportableApps(ctx: Pick<Ctx, "db">, cluster: string): Promise<Set<string>> {
  const [assigned, known] = await Promise.all([
    ctx.db.assignment.findMany({ where: { clusterName: cluster }, select: { app: true } }),
    ctx.db.appStatus.findMany({ where: { clusterName: cluster }, select: { app: true } }),
  ]);
  return new Set([...assigned, ...known].map((r) => r.app));
}

/** True when digest is one of the cluster's current assignments, or the one an assignment just replaced. */
export async function assignedDigest(ctx: Ctx, cluster: string, digest: string): Promise<boolean> {
  if (!digest) return false;
  const row = await ctx.db.assignment.findFirst({ where: { clusterName: cluster, OR: [{ bundleDigest: digest }, { previousDigest: digest }] }, select: { app: true } });
  return row !== null;
}

/**
 * Bumps the clusters' generation and sends each connected one its full AssignmentSet: those whose
 * streams this hub holds directly, the others through the hubs holding them (ctx.feed).
 */
export async function push(ctx: Ctx, clusters: Iterable<string>, bump = true): Promise<void> {
  const names = [...new Set(clusters)];
  if (names.length === 0) return;
  const { db } = ctx;
  if (bump) {
    const at = new Date();
    await runInTransaction(db, inChunks(names).map((chunk) => bumpGenerations(chunk, at)));
  }
  const connected = names.filter((n) => ctx.sessions.get(n));
  const elsewhere = names.filter((n) => !ctx.sessions.get(n));
  if (bump && elsewhere.length) ctx.feed.publish({ kind: "push", names: elsewhere });
  if (connected.length === 0) return;
  const [rows, assignments] = await Promise.all([
    Promise.all(inChunks(connected).map((chunk) => readGenerations(db, chunk))).then((r) => r.flat()),
    Promise.all(inChunks(connected).map((chunk) => readAssignments(db, chunk))).then((r) => r.flat()),
  ]);
  const byCluster = groupBy(assignments, (a) => a.clusterName);
  const [apps, inline] = await Promise.all([
    ctx.apps.list({ names: [...new Set(assignments.map((a) => a.app))] }),
    inlineBundles(ctx, new Set(rows.flatMap((r) => newOnStream(ctx.sessions, r.name, byCluster.get(r.name) ?? [])))),
  ]);
  const specs = new Map(apps.map((a) => [a.name, a.spec]));
  const message = assignmentMessages(specs);
  let sent = 0;
  let inlined = 0;
  for (const row of rows) {
    const placed = byCluster.get(row.name) ?? [];
    // Decided again now: the stream may have been replaced while the bundles loaded.
    const bundles = inline(newOnStream(ctx.sessions, row.name, placed.filter((a) => specs.has(a.app))));
    if (!ctx.sessions.send(row.name, message(placed, row.generation, bundles))) continue;
    sent++;
    inlined += bundles.length;
  }
  ctx.stats.pushes += sent;
  ctx.metrics.pushFanout.observe(sent);
  ctx.metrics.bundlesSent.inc({ via: "inline" }, inlined);
}

type AssignmentMessage = MessageInitShape<typeof ConnectResponseSchema>;
type Placed = Pick<Row, "app" | "target" | "revision" | "bundleDigest">;
type Inline = Readonly<MessageInitShape<typeof InlineBundleSchema> & { digest: string; gzip: Buffer }>;

/**
 * The digests of the cluster's assignments that are new on its stream: not in the last set sent on
 * it. None on a stream that had no set yet: a reconnecting agent usually holds its bundles already,
 * and a reconnect storm must not resend every bundle (the agent fetches what it lacks).
 */
function newOnStream(sessions: AgentStreams, cluster: string, rows: readonly Placed[]): string[] {
  const had = sessions.sentGeneration(cluster) === undefined ? undefined : sessions.assignedDigests?.(cluster);
  if (!had) return [];
  return [...new Set(rows.map((r) => r.bundleDigest).filter((d) => d && !had.has(d)))];
}

/**
 * Loads the candidate bundles (a commit's few) and returns which of a cluster's new digests ride
 * inline: those of at most MAX_INLINE_BUNDLE_BYTES gzip-compressed, up to
 * MAX_INLINE_BUNDLES_PER_SET_BYTES per set. Only the cluster's own assignments are candidates, as
 * GetBundle serves only those (a Pending cluster has no assignments: reconcile assigns approved ones).
 */
async function inlineBundles(ctx: Pick<Ctx, "bundles" | "log">, candidates: ReadonlySet<string>): Promise<(digests: readonly string[]) => Inline[]> {
  const small = new Map<string, Inline>();
  await Promise.all([...candidates].map(async (digest) => {
    const bundle = await ctx.bundles.get(digest).catch((err: unknown) => void ctx.log.warn({ digest, err }, "loading a bundle to send inline failed: agents fetch it"));
    // Frozen without its bytes: a Buffer cannot be frozen (deepFreeze stops at frozen objects).
    if (bundle && bundle.gzip.length <= MAX_INLINE_BUNDLE_BYTES) small.set(digest, Object.freeze({ digest, gzip: bundle.gzip }));
  }));
  return (digests) => {
    const out: Inline[] = [];
    let bytes = 0;
    for (const digest of digests) {
      const b = small.get(digest);
      if (!b || bytes + b.gzip.length > MAX_INLINE_BUNDLES_PER_SET_BYTES) continue;
      bytes += b.gzip.length;
      out.push(b);
    }
    return out;
  };
}

/**
 * Builds each cluster's AssignmentSet message, one object per distinct content: clusters whose
 * assignments, generation and inline bundles are equal (a commit moves thousands alike) get the same
 * object, which the hub's Connect serializer encodes once (transport/grpc/encode-once.ts). The key is
 * the whole content, so no cluster gets a message made for other assignments or other bundles.
 */
function assignmentMessages(specs: ReadonlyMap<string, AppSpec>) {
  const entries = new Map<string, MessageInitShape<typeof AssignmentSchema>[]>();
  const messages = new Map<string, AssignmentMessage>();
  const entry = (a: Placed, key: string) => {
    let found = entries.get(key);
    if (!found) {
      const spec = specs.get(a.app);
      found = spec ? [{ app: a.app, target: a.target, revision: a.revision, bundleDigest: a.bundleDigest, ...agentOptions(spec, a.target) }] : [];
      entries.set(key, found);
    }
    return found;
  };
  return (rows: readonly Placed[], generation: number, bundles: readonly Inline[]): AssignmentMessage => {
    const keys = rows.map((a) => `${a.app}\0${a.target}\0${a.revision}\0${a.bundleDigest}`);
    const key = `${generation}\n${keys.join("\n")}\n\n${bundles.map((b) => b.digest).join("\n")}`;
    let msg = messages.get(key);
    if (!msg) {
      // Frozen: the serializer keeps its bytes by object, and every stream sharing it would see a change.
      msg = deepFreeze({ msg: { case: "assignments", value: { assignments: rows.flatMap((a, i) => entry(a, keys[i]!)), generation: BigInt(generation), bundles: [...bundles] } } } as AssignmentMessage);
      messages.set(key, msg);
    }
    return msg;
  };
}

export function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}
