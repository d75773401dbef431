// A Source of type helm: its index.yaml resolves to a chart version (the Revision), whose archive is
// downloaded once, checked against the index's digest and unpacked as the tree Apps render.
import { createHash, randomBytes } from "node:crypto";
import { rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";
import { createLanes } from "../lib/concurrency.js";
import { ChartArchiveError, DEFAULT_ARCHIVE_LIMITS, unpackChart, type ArchiveLimits } from "./chart-archive.js";
import { HelmRepoError } from "./errors.js";
import { chartRevision, chartUrl, chartVersions, indexUrl, parseChartRevision, pickVersion, type ChartVersion } from "./helm-index.js";
import { repoGet, type RepoAuth, type Validators } from "./repo-http.js";
import type { Revision } from "./resolve.js";
import type { HelmSourceSpec } from "./spec.js";
import type { ResolvedHost } from "./hosts.js";

export type HelmReposOptions = { dir: string; logger: Logger; timeoutMs?: number; maxIndexBytes?: number; limits?: ArchiveLimits };

// Large public repositories publish index files of tens of MiB.
const MAX_INDEX_BYTES = 64 * 1024 * 1024;

export function createHelmRepos({ dir, logger, timeoutMs = 60_000, maxIndexBytes = MAX_INDEX_BYTES, limits = DEFAULT_ARCHIVE_LIMITS }: HelmReposOptions) {
  // One download per Source at a time: a poll and a render needing the same chart do not race.
  const lanes = createLanes();

  const treeOf = (source: string, revision: string) => join(dir, source, chartTreeName(revision));

  // The last index read per Source: an unchanged index (304) is neither downloaded nor parsed again.
  const indexes = new Map<string, { key: string; validators: Validators; versions: ChartVersion[] }>();

  async function versions(source: string, spec: HelmSourceSpec, auth?: RepoAuth, pinned?: ResolvedHost): Promise<ChartVersion[]> {
    const url = indexUrl(spec.url);
    const key = `${url} ${spec.chart}`;
    const last = indexes.get(source);
    const seen = last?.key === key ? last : undefined;
    const answer = await repoGet(url, { source, auth, maxBytes: maxIndexBytes, timeoutMs, validators: seen?.validators, pinned });
    if (answer.notModified && seen) return seen.versions;
    let found: ChartVersion[];
    try {
      found = chartVersions(answer.body.toString("utf8"), spec.chart);
    } catch (err) {
      throw new HelmRepoError(source, url, "bad-index", (err as Error).message);
    }
    if (answer.validators.etag || answer.validators.lastModified) indexes.set(source, { key, validators: answer.validators, versions: found });
    else indexes.delete(source);
    return found;
  }

  /** Downloads and unpacks v unless its tree is there; returns its revision and tree. */
  async function materialise(source: string, spec: HelmSourceSpec, v: ChartVersion, auth?: RepoAuth, pinned?: ResolvedHost): Promise<{ revision: string; tree: string }> {
    const url = chartUrl(spec.url, v);
    if (!url) throw new HelmRepoError(source, spec.url, "outside-repository", `chart ${spec.chart} ${v.version} is at ${v.urls[0]}, outside the repository URL: only ${spec.url} is fetched`);
    const known = v.digest && /^[0-9a-f]{64}$/.test(v.digest) ? v.digest : undefined;
    if (v.digest && !known) throw new HelmRepoError(source, spec.url, "bad-index", `chart ${spec.chart} ${v.version}: digest "${v.digest}" is not a sha256`);
    if (known) {
      const revision = chartRevision(v.version, known);
      if (await exists(treeOf(source, revision))) return { revision, tree: treeOf(source, revision) };
    }
    // chartUrl keeps the archive under the repository's URL: the same host, the same checked addresses.
    const tgz = (await repoGet(url, { source, auth, maxBytes: limits.maxArchiveBytes, timeoutMs, pinned })).body;
    const actual = createHash("sha256").update(tgz).digest("hex");
    if (known && actual !== known) throw new HelmRepoError(source, url, "digest-mismatch", `chart ${spec.chart} ${v.version}: index.yaml says sha256:${known}, the archive is sha256:${actual}`);
    const revision = chartRevision(v.version, actual);
    const tree = treeOf(source, revision);
    if (await exists(tree)) return { revision, tree };
    // Unpack beside the final path and rename, so a failed unpack never leaves half a chart.
    const tmp = `${tree}.tmp-${randomBytes(4).toString("hex")}`;
    try {
      await unpackChart(tgz, tmp, limits);
      await rename(tmp, tree);
    } catch (err) {
      if (err instanceof ChartArchiveError) throw new HelmRepoError(source, url, "bad-archive", `chart ${spec.chart} ${v.version}: ${err.message}`);
      throw err;
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
    logger.info({ source, chart: spec.chart, version: v.version, revision, bytes: tgz.length }, "chart downloaded");
    return { revision, tree };
  }

  return {
    /** Where a revision's chart is unpacked (whether or not it is yet). */
    path: treeOf,
    /**
     * The highest version satisfying the Source's range, downloaded and checked: a Revision only when
     * its archive is good. `pinned`: the addresses --source-hosts checked, the only ones connected to.
     */
    resolve(source: string, spec: HelmSourceSpec, auth?: RepoAuth, pinned?: ResolvedHost): Promise<Revision> {
      return lanes.run(source, async () => {
        const v = pickVersion(source, spec.chart, await versions(source, spec, auth, pinned), spec.version);
        const { revision } = await materialise(source, spec, v, auth, pinned);
        const message = [`${spec.chart} ${v.version}`, v.appVersion && `(app ${v.appVersion})`, v.description && `: ${v.description}`].filter(Boolean).join(" ").replace(" :", ":");
        return { sha: revision, ref: `${spec.chart}-${v.version}`, author: v.maintainers.join(", ") || spec.url, message, committedAt: v.created ?? new Date() };
      });
    },
    /**
     * The unpacked chart of a revision (downloaded again when the hub's disk lost it); the chart's
     * Chart.yaml is at its root. `pin` checks the host (as for resolve) only when a download is needed.
     */
    tree(source: string, spec: HelmSourceSpec, revision: string, auth?: RepoAuth, pin?: () => Promise<ResolvedHost | undefined>): Promise<string> {
      const want = parseChartRevision(revision);
      if (!want) return Promise.reject(new HelmRepoError(source, spec.url, "bad-index", `"${revision}" is not a chart revision (VERSION@sha256:DIGEST)`));
      return lanes.run(source, async () => {
        if (await exists(treeOf(source, revision))) return treeOf(source, revision);
        const pinned = await pin?.();
        const v = pickVersion(source, spec.chart, await versions(source, spec, auth, pinned), want.version);
        const got = await materialise(source, spec, v, auth, pinned);
        if (got.revision !== revision) throw new HelmRepoError(source, spec.url, "digest-mismatch", `chart ${spec.chart} ${want.version} changed in the repository since it was resolved as ${revision} (now ${got.revision})`);
        return got.tree;
      });
    },
  };
}
export type HelmRepos = ReturnType<typeof createHelmRepos>;

/** The directory name of a chart revision's tree: revisions are VERSION@sha256:HEX, "@" and ":" are kept out of directory names. */
export function chartTreeName(revision: string): string {
  return revision.replace(/[^\w.+-]/g, "_");
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}
