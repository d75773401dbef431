import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { RpcError, type RevisionInfoSchema, type SourceSummarySchema } from "@gitfleet/shared";
import { storedSourceSpec } from "../definitions/index.js";
import type { RevisionSelector } from "../sources/index.js";
import type { Revision, Source } from "../store/index.js";
import type { Ctx, Init } from "../delivery/context.js";

export type SourceSummaryInit = Init<typeof SourceSummarySchema>;
const HISTORY = 10;

export async function listSources(ctx: Ctx): Promise<SourceSummaryInit[]> {
  const rows = await ctx.db.source.findMany({ orderBy: { name: "asc" } });
  const heads = await ctx.db.revision.findMany({ where: { OR: rows.filter((r) => r.lastRevision).map((r) => ({ sourceName: r.name, sha: r.lastRevision! })) } });
  return rows.map((r) => summarize(r, heads.filter((h) => h.sourceName === r.name)));
}

/** One Source with its recent revisions, newest first. */
export async function getSource(ctx: Ctx, name: string): Promise<SourceSummaryInit> {
  const row = await ctx.db.source.findUnique({ where: { name } });
  if (!row) throw new RpcError("NOT_FOUND", `no source named "${name}" (see \`gitfleet source list\`)`);
  const history = await ctx.db.revision.findMany({ where: { sourceName: name }, orderBy: { fetchedAt: "desc" }, take: HISTORY });
  const head = history.find((h) => h.sha === row.lastRevision) ?? (await ctx.db.revision.findFirst({ where: { sourceName: name, sha: row.lastRevision ?? "" } }));
  return { ...summarize(row, head ? [head] : []), history: history.map(revisionInfo) };
}

function summarize(row: Source, heads: Revision[]): SourceSummaryInit {
  const spec = storedSourceSpec(JSON.parse(row.spec) as Record<string, unknown>);
  const head = heads.find((h) => h.sha === row.lastRevision);
  return {
    name: row.name,
    url: spec.url,
    follow: follow(spec.ref),
    intervalSeconds: BigInt(Math.round(spec.intervalMs / 1000)),
    ...(head ? { revision: revisionInfo(head) } : {}),
    ...(row.lastFetchedAt ? { lastFetchedAt: timestampFromDate(row.lastFetchedAt) } : {}),
    error: row.lastError ?? "",
    specJson: row.spec,
  };
}

export function revisionInfo(r: Revision): Init<typeof RevisionInfoSchema> {
  return { sha: r.sha, ref: r.ref, author: r.author, message: r.message, committedAt: timestampFromDate(r.committedAt) };
}

function follow(ref: RevisionSelector): string {
  switch (ref.kind) {
    case "branch": return `branch:${ref.branch}`;
    case "tag": return `tag:${ref.tag}`;
    case "semver": return `semver:${ref.range}`;
    case "commit": return `commit:${ref.commit}`;
  }
}
