import { join } from "node:path";
import { gitCredentials, repoAuth } from "../definitions/index.js";
import { holdingTree, withTree, resolveRevision, RevisionNotFoundError, SourceFetchError, type HelmRepos, type Mirror, type MirrorCache, type Revision } from "./index.js";
import type { Ctx } from "../delivery/context.js";
import { openSecrets } from "./sealed-credentials.js";
import { checkSourceAddresses, checkSourceSpec, systemResolve, type Resolve } from "./hosts.js";
import { HubError } from "../errors.js";

/** failed: the fetch did not work (Git unreachable, credentials): worth retrying. */
export type FetchResult = { sha?: string; changed: boolean; failed?: boolean };

/** Fetches Sources (Git into the mirror cache shared with the config repo, Helm repositories into charts) and records what they resolve to. */
export function createFetcher(ctx: Ctx, cache: MirrorCache, charts: HelmRepos, resolve: Resolve = systemResolve) {
  const { db, log, sourceHosts: hosts } = ctx;
  const mirrors = new Map<string, Mirror>();

  async function load(name: string) {
    const row = await ctx.sources.get(name);
    if (!row) throw new HubError("NOT_FOUND", `no source named "${name}"`);
    return row;
  }

  async function record(name: string, rev: Revision): Promise<void> {
    const data = { ref: rev.ref, author: rev.author, message: rev.message, committedAt: rev.committedAt, fetchedAt: new Date() };
    await db.revision.upsert({ where: { sourceName_sha: { sourceName: name, sha: rev.sha } }, create: { sourceName: name, sha: rev.sha, ...data }, update: data });
  }

  /** Fetch failures are recorded on the Source (and logged), not thrown: assignments stay as they are. */
  async function fetch(name: string): Promise<FetchResult> {
    const row = await load(name);
    const { spec } = row;
    try {
      const resolved = await checkSourceAddresses(hosts, name, spec.url, resolve);
      let rev: Revision;
      if (spec.type === "helm") rev = await charts.resolve(name, spec, repoAuth(openSecrets(ctx, row)), resolved);
      else {
        const mirror = await cache.fetch(name, spec.url, gitCredentials(openSecrets(ctx, row)), resolved);
        mirrors.set(name, mirror);
        rev = await resolveRevision(mirror, spec);
      }
      await record(name, rev);
      await ctx.sources.update(name, { lastRevision: rev.sha, lastFetchedAt: new Date(), lastError: null });
      if (rev.sha !== row.lastRevision) log.info({ source: name, sha: rev.sha, ref: rev.ref }, "source revision changed");
      return { sha: rev.sha, changed: rev.sha !== row.lastRevision };
    } catch (err) {
      if (!(err instanceof SourceFetchError || err instanceof RevisionNotFoundError)) throw err;
      log.warn({ source: name, err: err.message }, "source fetch failed");
      await ctx.sources.update(name, { lastError: err.message, lastFetchedAt: new Date() });
      return { changed: false, failed: true };
    }
  }

  async function mirror(name: string): Promise<Mirror> {
    if (!mirrors.has(name)) await fetch(name);
    const m = mirrors.get(name);
    if (!m) throw new HubError("FAILED_PRECONDITION", `source "${name}" could not be fetched: ${(await load(name)).lastError ?? "unknown error"}`);
    return m;
  }

  return {
    fetch,
    mirror,
    forget: (name: string) => void mirrors.delete(name),
    /**
     * Runs fn on the tree of a revision on disk, materialised once per Source and revision (no tree next
     * to another Source's): a commit's, or a chart's. Retention does not remove it before fn settles.
     */
    async withTree<T>(source: string, sha: string, fn: (dir: string) => Promise<T>): Promise<T> {
      const row = await load(source);
      const { spec } = row;
      // Checked again at render: kustomize fetches the remote resources a Source allows.
      checkSourceSpec(hosts, source, spec);
      if (spec.type === "helm") {
        const pin = () => checkSourceAddresses(hosts, source, spec.url, resolve);
        return holdingTree(charts.path(source, sha), async () => fn(await charts.tree(source, spec, sha, repoAuth(openSecrets(ctx, row)), pin)));
      }
      return withTree(await mirror(source), sha, join(ctx.gitDir, "trees", source), fn);
    },
    /** A (short) SHA of the Source's repository, recorded as a Revision; NOT_FOUND when it is not there. */
    async resolveCommit(source: string, commit: string): Promise<Revision> {
      if ((await load(source)).spec.type === "helm") throw new HubError("FAILED_PRECONDITION", `source "${source}" is a Helm repository: it has chart versions, not commits (set an exact version on the Source to hold an App on one)`);
      try {
        const rev = await resolveRevision(await mirror(source), { ref: { kind: "commit", commit } });
        await record(source, rev);
        return rev;
      } catch (err) {
        if (err instanceof RevisionNotFoundError) throw new HubError("NOT_FOUND", err.message);
        throw err;
      }
    },
  };
}
export type Fetcher = ReturnType<typeof createFetcher>;
