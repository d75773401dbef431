// What retention keeps: a pure function of what the database references, so it is tested alone.
// The policy (README "Retention"): a revision is kept while an App wants it (desired, pinned, failed),
// a Source's head is on it, a rollout moves from or to it, a cluster is assigned it, runs it or would
// roll back to it, or it is one of the last N revisions of its Source. Renders and checked-out trees
// of other revisions go; a Bundle goes when no kept Render and no assignment (current or previous),
// rollback target or status names it; a StatusObjects row (per-object results) when no status names it.
// Nothing used or seen within the grace goes (checked where it is deleted).

/** What the database points at, read by retention/index.ts. */
export interface References {
  /** Commit SHAs in use: Apps' desired, pinned and failed revisions, Source heads, rollouts' from and to, assigned, applied and rollback revisions. */
  revisions: Iterable<string>;
  /** Per Source, its revisions newest first (the hub reads at most keepRevisions of each). */
  history: Iterable<readonly string[]>;
  /** Bundle digests assigned (current and previous), rollback targets, and reported as applied. */
  digests: Iterable<string>;
}

export function keptRevisions(refs: References, keepRevisions: number): Set<string> {
  const kept = new Set<string>();
  for (const sha of refs.revisions) if (sha) kept.add(sha);
  for (const shas of refs.history) for (const sha of shas.slice(0, keepRevisions)) kept.add(sha);
  return kept;
}

// A commit SHA, or a chart revision of a Helm repository Source (VERSION@sha256:DIGEST12).
const RENDER_KEY = /^[a-z0-9-]+@([0-9a-f]{40}|[^@:\s]+@sha256:[0-9a-f]{12}):/;

/** The revision a Render key ("source@revision:path:overlay…", render/renderer.ts) renders; undefined if it is not one. */
export function renderRevision(key: string): string | undefined {
  return RENDER_KEY.exec(key)?.[1];
}

export interface RenderRow {
  key: string;
  digest: string | null;
  createdAt: Date;
}

/** Splits Render rows into those to delete and the digests the kept ones name (a key that does not parse is kept). */
export function sortRenders(rows: readonly RenderRow[], kept: ReadonlySet<string>, cutoff: Date): { remove: string[]; digests: string[] } {
  const remove: string[] = [];
  const digests: string[] = [];
  for (const row of rows) {
    const sha = renderRevision(row.key);
    if (sha !== undefined && !kept.has(sha) && row.createdAt < cutoff) remove.push(row.key);
    else if (row.digest) digests.push(row.digest);
  }
  return { remove, digests };
}

/** Bundles (or StatusObjects rows) no kept Render and no reference names (their age is checked in the DELETE itself, against a concurrent use). */
export function unreferenced(digests: readonly string[], referenced: ReadonlySet<string>): string[] {
  return digests.filter((d) => !referenced.has(d));
}

export interface TreeEntry {
  /** The tree's directory. */
  path: string;
  /** Its directory name: the revision it holds (as sources/ names it), or a leftover (an interrupted checkout's temporary directory). */
  name: string;
  /** Last checked out or used (the directory's mtime). */
  usedAt: number;
}

/** Trees whose revision is not kept (leftovers included) and that were not used since cutoff; treeName maps a revision to its directory name. */
export function treesToRemove(trees: readonly TreeEntry[], kept: ReadonlySet<string>, cutoff: number, treeName: (revision: string) => string = (r) => r): string[] {
  const names = new Set([...kept].map(treeName));
  return trees.filter((t) => !names.has(t.name) && t.usedAt < cutoff).map((t) => t.path);
}
