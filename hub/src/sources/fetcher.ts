import { join } from "node:path";
import { RpcError } from "@gitfleet/shared";
import { gitCredentials, storedSourceSpec } from "../definitions/index.js";
import { checkout, createMirrorCache, resolveRevision, RevisionNotFoundError, SourceFetchError, type Mirror, type Revision } from "./index.js";
import type { Ctx } from "../delivery/context.js";
import { openSecrets } from "./stored-secrets.js";

/** failed: the fetch did not work (Git unreachable, credentials): worth retrying. */
export type FetchResult = { sha?: string; changed: boolean; failed?: boolean };

/** Fetches Sources into the mirror cache and records what they resolve to. */
export function createFetcher(ctx: Ctx) {
  const { db, log } = ctx;
  const cache = createMirrorCache({ dir: join(ctx.gitDir, "mirrors"), logger: log });
  const mirrors = new Map<string, Mirror>();

  async function load(name: string) {
    const row = await db.source.findUnique({ where: { name } });
    if (!row) throw new RpcError("NOT_FOUND", `no source named "${name}"`);
    return row;
  }

  async function record(name: string, rev: Revision): Promise<void> {
    const data = { ref: rev.ref, author: rev.author, message: rev.message, committedAt: rev.committedAt, fetchedAt: new Date() };
    await db.revision.upsert({ where: { sourceName_sha: { sourceName: name, sha: rev.sha } }, create: { sourceName: name, sha: rev.sha, ...data }, update: data });
  }

  /** Fetch failures are recorded on the Source (and logged), not thrown: assignments stay as they are. */
  async function fetch(name: string): Promise<FetchResult> {
    const row = await load(name);
    const spec = storedSourceSpec(JSON.parse(row.spec) as Record<string, unknown>);
    try {
      const mirror = await cache.fetch(name, spec.url, gitCredentials(openSecrets(ctx, row)));
      mirrors.set(name, mirror);
      const rev = await resolveRevision(mirror, spec);
      await record(name, rev);
      await db.source.update({ where: { name }, data: { lastRevision: rev.sha, lastFetchedAt: new Date(), lastError: null } });
      if (rev.sha !== row.lastRevision) log.info({ source: name, sha: rev.sha, ref: rev.ref }, "source revision changed");
      return { sha: rev.sha, changed: rev.sha !== row.lastRevision };
    } catch (err) {
      if (!(err instanceof SourceFetchError || err instanceof RevisionNotFoundError)) throw err;
      log.warn({ source: name, err: err.message }, "source fetch failed");
      await db.source.update({ where: { name }, data: { lastError: err.message, lastFetchedAt: new Date() } });
      return { changed: false, failed: true };
    }
  }

  async function mirror(name: string): Promise<Mirror> {
    if (!mirrors.has(name)) await fetch(name);
    const m = mirrors.get(name);
    if (!m) throw new RpcError("FAILED_PRECONDITION", `source "${name}" could not be fetched: ${(await load(name)).lastError ?? "unknown error"}`);
    return m;
  }

  return {
    fetch,
    mirror,
    forget: (name: string) => void mirrors.delete(name),
    /** The tree of a commit on disk, materialised once per Source and SHA (no tree next to another Source's). */
    tree: async (source: string, sha: string) => checkout(await mirror(source), sha, join(ctx.gitDir, "trees", source)),
    /** A (short) SHA of the Source's repository, recorded as a Revision; NOT_FOUND when it is not there. */
    async resolveCommit(source: string, commit: string): Promise<Revision> {
      try {
        const rev = await resolveRevision(await mirror(source), { ref: { kind: "commit", commit } });
        await record(source, rev);
        return rev;
      } catch (err) {
        if (err instanceof RevisionNotFoundError) throw new RpcError("NOT_FOUND", err.message);
        throw err;
      }
    },
  };
}
export type Fetcher = ReturnType<typeof createFetcher>;
