import type { MessageInitShape } from "@bufbuild/protobuf";
import type { AssignmentSchema, ConnectResponseSchema } from "@gitfleet/shared";
import { agentOptions, type AppSpec } from "../definitions/index.js";
import type { Ctx } from "../delivery/context.js";
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
  const apps = await ctx.apps.list({ names: [...new Set(assignments.map((a) => a.app))] });
  const specs = new Map(apps.map((a) => [a.name, a.spec]));
  const byCluster = groupBy(assignments, (a) => a.clusterName);
  const message = assignmentMessages(specs);
  let sent = 0;
  for (const row of rows) {
    if (ctx.sessions.send(row.name, message(byCluster.get(row.name) ?? [], row.generation))) sent++;
  }
  ctx.stats.pushes += sent;
  ctx.metrics.pushFanout.observe(sent);
}

type AssignmentMessage = MessageInitShape<typeof ConnectResponseSchema>;
type Placed = Pick<Row, "app" | "target" | "revision" | "bundleDigest">;

/**
 * Builds each cluster's AssignmentSet message, one object per distinct content: clusters whose
 * assignments and generation are equal (a commit moves thousands alike) get the same object, which
 * the hub's Connect serializer encodes once (transport/grpc/encode-once.ts). The key is the whole
 * content, so no cluster gets a message made for other assignments.
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
  return (rows: readonly Placed[], generation: number): AssignmentMessage => {
    const keys = rows.map((a) => `${a.app}\0${a.target}\0${a.revision}\0${a.bundleDigest}`);
    const key = `${generation}\n${keys.join("\n")}`;
    let msg = messages.get(key);
    if (!msg) {
      // Frozen: the serializer keeps its bytes by object, and every stream sharing it would see a change.
      msg = deepFreeze({ msg: { case: "assignments", value: { assignments: rows.flatMap((a, i) => entry(a, keys[i]!)), generation: BigInt(generation) } } } as AssignmentMessage);
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
