/**
 * Splits a list for `in: [...]` filters and createMany: SQLite takes at most 999 bound values per
 * statement (Prisma fails the query beyond that), and a fleet has more clusters than that.
 */
export function inChunks<T>(items: readonly T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
