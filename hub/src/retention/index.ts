// Retention: removes Render rows, Bundles, StatusObjects rows, checked-out trees and unpacked charts no longer needed (policy.ts says which).
// pruneStore is a singleton task (one hub per database runs it; under the lease with several hubs);
// pruneTrees prunes this hub's own data dir, so every hub runs it (hub.ts schedules both).
import { join } from "node:path";
import type { Logger } from "@gitfleet/shared";
import { chartTreeName, listTrees, removeTree } from "../sources/index.js";
import type { Db } from "../store/index.js";
import { createAppRepository } from "../store/index.js";
import { inChunks } from "../store/chunks.js";
import { keptRevisions, sortRenders, treesToRemove, unreferenced, type References } from "./policy.js";

export interface RetentionOptions {
  /** Recent revisions kept per Source besides those in use (--keep-revisions). */
  keepRevisions: number;
  /** Nothing created or used more recently than this is removed. */
  graceMs: number;
}

export interface Removed {
  renders: number;
  bundles: number;
  bundleBytes: number;
  statusObjects: number;
  trees: number;
  treeBytes: number;
}

/** Rows read and deleted per statement: a pass never holds a big result or a long write lock. */
const BATCH = 500;

export function createRetention(deps: { db: Db; log: Logger; dataDir: string }, opts: RetentionOptions) {
  const { db, log } = deps;
  const apps = createAppRepository(db);
  // Git checkouts and unpacked charts (sources/trees.ts, sources/helm-repo.ts).
  const treeDirs = [join(deps.dataDir, "git", "trees"), join(deps.dataDir, "charts")];

  async function references(): Promise<References & { sources: Set<string>; objectsDigests: Set<string> }> {
    const [appRows, sources, rollouts, assigned, steps, statuses] = await Promise.all([
      apps.list(),
      db.source.findMany({ select: { name: true, lastRevision: true } }),
      db.rollout.findMany({ select: { fromRevision: true, toRevision: true } }),
      db.assignment.groupBy({ by: ["revision", "bundleDigest", "previousDigest"] }),
      db.rolloutCluster.groupBy({ by: ["prevRevision", "prevDigest"] }),
      db.appStatus.groupBy({ by: ["revision", "bundleDigest", "objectsDigest"] }),
    ]);
    const history = await Promise.all(sources.map(async (s) =>
      (await db.revision.findMany({ where: { sourceName: s.name }, orderBy: { fetchedAt: "desc" }, take: opts.keepRevisions, select: { sha: true } })).map((r) => r.sha),
    ));
    return {
      sources: new Set(sources.map((s) => s.name)),
      objectsDigests: new Set(statuses.map((s) => s.objectsDigest)),
      revisions: [
        ...appRows.flatMap((a) => [a.revision, a.pinnedRevision, a.lastErrorRevision]),
        ...sources.map((s) => s.lastRevision),
        ...rollouts.flatMap((r) => [r.fromRevision, r.toRevision]),
        ...assigned.map((a) => a.revision),
        ...steps.map((s) => s.prevRevision),
        ...statuses.map((s) => s.revision),
      ].filter((sha): sha is string => Boolean(sha)),
      history,
      digests: [
        ...assigned.flatMap((a) => [a.bundleDigest, a.previousDigest]),
        ...steps.map((s) => s.prevDigest ?? ""),
        ...statuses.map((s) => s.bundleDigest),
      ].filter(Boolean),
    };
  }

  /** Deletes Render rows of revisions not kept, then Bundles nothing names. */
  async function pruneRows(refs: References, cutoff: Date): Promise<Pick<Removed, "renders" | "bundles" | "bundleBytes">> {
    const kept = keptRevisions(refs, opts.keepRevisions);
    const referenced = new Set(refs.digests);
    let renders = 0;
    for await (const rows of pages((after) => db.render.findMany({ where: after ? { key: { gt: after } } : {}, orderBy: { key: "asc" }, take: BATCH, select: { key: true, digest: true, createdAt: true } }), (r) => r.key)) {
      const { remove, digests } = sortRenders(rows, kept, cutoff);
      for (const d of digests) referenced.add(d);
      // createdAt again in the statement: a row rendered again since the read stays.
      if (remove.length) renders += (await db.render.deleteMany({ where: { key: { in: remove }, createdAt: { lt: cutoff } } })).count;
    }
    // A Render row written after the pages above names a bundle that a render just marked used: the DELETE leaves it.
    let bundles = 0;
    let bundleBytes = 0;
    for await (const rows of pages((after) => db.bundle.findMany({ where: after ? { digest: { gt: after } } : {}, orderBy: { digest: "asc" }, take: BATCH, select: { digest: true } }), (b) => b.digest)) {
      const candidates = unreferenced(rows.map((r) => r.digest), referenced);
      for (const batch of inChunks(candidates, BATCH)) {
        const old = await db.bundle.findMany({ where: { digest: { in: batch }, usedAt: { lt: cutoff } }, select: { digest: true, size: true } });
        if (!old.length) continue;
        const { count } = await db.bundle.deleteMany({ where: { digest: { in: old.map((b) => b.digest) }, usedAt: { lt: cutoff } } });
        bundles += count;
        bundleBytes += old.reduce((n, b) => n + b.size, 0);
        if (count < old.length) {
          // Some were used between the read and the DELETE: they stayed, so they do not count.
          const stayed = await db.bundle.findMany({ where: { digest: { in: old.map((b) => b.digest) } }, select: { size: true } });
          bundleBytes -= stayed.reduce((n, b) => n + b.size, 0);
        }
      }
    }
    return { renders, bundles, bundleBytes };
  }

  /** Deletes StatusObjects rows no status names (seenAt again in the DELETE: a status stored since the read refreshed it). */
  async function pruneStatusObjects(referenced: ReadonlySet<string>, cutoff: Date): Promise<number> {
    let removed = 0;
    for await (const rows of pages((after) => db.statusObjects.findMany({ where: after ? { digest: { gt: after } } : {}, orderBy: { digest: "asc" }, take: BATCH, select: { digest: true } }), (o) => o.digest)) {
      const candidates = unreferenced(rows.map((r) => r.digest), referenced);
      if (candidates.length) removed += (await db.statusObjects.deleteMany({ where: { digest: { in: candidates }, seenAt: { lt: cutoff } } })).count;
    }
    return removed;
  }

  /** Removes this hub's checked-out trees of revisions not kept (none that a render holds). */
  async function pruneTreesWith(refs: References & { sources: Set<string> }, cutoff: Date): Promise<Pick<Removed, "trees" | "treeBytes">> {
    const kept = keptRevisions(refs, opts.keepRevisions);
    let trees = 0;
    let treeBytes = 0;
    const listed = (await Promise.all(treeDirs.map((d) => listTrees(d, refs.sources)))).flat();
    for (const path of treesToRemove(listed, kept, cutoff.getTime(), chartTreeName)) {
      const bytes = await removeTree(path).catch((err: unknown) => {
        log.warn({ path, err: (err as Error).message }, "retention: could not remove a checked-out tree");
        return undefined;
      });
      if (bytes === undefined) continue;
      trees++;
      treeBytes += bytes;
    }
    return { trees, treeBytes };
  }

  function report(removed: Partial<Removed>, started: number): void {
    log.info({ ...removed, keepRevisions: opts.keepRevisions, ms: Date.now() - started }, "retention: removed old renders, bundles and trees");
  }

  return {
    /** The database part: a singleton task (one hub per database at a time). */
    async pruneStore(now = new Date()): Promise<Pick<Removed, "renders" | "bundles" | "bundleBytes" | "statusObjects">> {
      const started = Date.now();
      const refs = await references();
      const cutoff = new Date(now.getTime() - opts.graceMs);
      const removed = { ...(await pruneRows(refs, cutoff)), statusObjects: await pruneStatusObjects(refs.objectsDigests, cutoff) };
      report(removed, started);
      return removed;
    },
    /** This hub's own checked-out trees: every hub runs it. */
    async pruneTrees(now = new Date()): Promise<Pick<Removed, "trees" | "treeBytes">> {
      const started = Date.now();
      const removed = await pruneTreesWith(await references(), new Date(now.getTime() - opts.graceMs));
      report(removed, started);
      return removed;
    },
  };
}
export type Retention = ReturnType<typeof createRetention>;

/** Keyset pages of a table in key order (rows deleted meanwhile do not shift later pages). */
async function* pages<T>(read: (after: string | undefined) => Promise<T[]>, key: (row: T) => string): AsyncGenerator<T[]> {
  let after: string | undefined;
  for (;;) {
    const rows = await read(after);
    if (rows.length) yield rows;
    if (rows.length < BATCH) return;
    after = key(rows[rows.length - 1]!);
  }
}
