import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { type RevisionInfoSchema, type SourceSummarySchema } from "@gitfleet/shared";
import type { SourceSpec } from "../sources/index.js";
import type { Revision, SourceRecord } from "../store/index.js";
import type { Ctx, Init } from "../delivery/context.js";
import { HubError } from "../errors.js";

export type SourceSummaryInit = Init<typeof SourceSummarySchema>;
const HISTORY = 10;

export async function listSources(ctx: Ctx): Promise<SourceSummaryInit[]> {
  const rows = await ctx.sources.list();
  const heads = await ctx.db.revision.findMany({ where: { OR: rows.filter((r) => r.lastRevision).map((r) => ({ sourceName: r.name, sha: r.lastRevision! })) } });
  return rows.map((r) => summarize(r, heads.filter((h) => h.sourceName === r.name)));
}

/** One Source with its recent revisions, newest first. */
export async function getSource(ctx: Ctx, name: string): Promise<SourceSummaryInit> {
  const row = await ctx.sources.get(name);
  if (!row) throw new HubError("NOT_FOUND", `no source named "${name}" (see \`gitfleet source list\`)`);
  const history = await ctx.db.revision.findMany({ where: { sourceName: name }, orderBy: { fetchedAt: "desc" }, take: HISTORY });
  const head = history.find((h) => h.sha === row.lastRevision) ?? (await ctx.db.revision.findFirst({ where: { sourceName: name, sha: row.lastRevision ?? "" } }));
  return { ...summarize(row, head ? [head] : []), history: history.map(revisionInfo) };
}

function summarize(row: SourceRecord, heads: Revision[]): SourceSummaryInit {
  const { spec } = row;
  const head = heads.find((h) => h.sha === row.lastRevision);
  return {
    name: row.name,
    url: spec.url,
    follow: follow(spec),
    intervalSeconds: BigInt(Math.round(spec.intervalMs / 1000)),
    ...(head ? { revision: revisionInfo(head) } : {}),
    ...(row.lastFetchedAt ? { lastFetchedAt: timestampFromDate(row.lastFetchedAt) } : {}),
    error: row.lastError ?? "",
    specJson: row.specJson,
  };
}

export function revisionInfo(r: Revision): Init<typeof RevisionInfoSchema> {
  return { sha: r.sha, ref: r.ref, author: r.author, message: r.message, committedAt: timestampFromDate(r.committedAt) };
}

function follow(spec: SourceSpec): string {
  if (spec.type === "helm") return `chart:${spec.chart}@${spec.version}`;
  const { ref } = spec;
  switch (ref.kind) {
    case "branch": return `branch:${ref.branch}`;
    case "tag": return `tag:${ref.tag}`;
    case "semver": return `semver:${ref.range}`;
    case "commit": return `commit:${ref.commit}`;
  }
}
