import { describe, expect, it } from "vitest";
import { keptRevisions, renderRevision, sortRenders, treesToRemove, unreferenced } from "./policy.js";

const sha = (c: string) => c.repeat(40);
const [A, B, C, D, E] = ["a", "b", "c", "d", "e"].map(sha) as [string, string, string, string, string];

describe("keptRevisions", () => {
  it("keeps every referenced revision and the first N of each Source's history", () => {
    const kept = keptRevisions({ revisions: [E, ""], history: [[A, B, C], [D]], digests: [] }, 2);
    expect([...kept].sort()).toEqual([A, B, D, E].sort());
  });

  it("with N = 0 keeps only what is referenced", () => {
    expect([...keptRevisions({ revisions: [C], history: [[A, B, C]], digests: [] }, 0)]).toEqual([C]);
  });
});

describe("renderRevision", () => {
  it("reads the commit of a render key, with or without target, Helm and allow-empty parts", () => {
    expect(renderRevision(`apps@${A}:web:overlays/prod`)).toBe(A);
    expect(renderRevision(`apps-2@${B}:charts/web::shop:tier=web:helm={"releaseName":"x"}:allow-empty`)).toBe(B);
    expect(renderRevision("charts@1.2.3-rc.1+b7@sha256:0123456789ab:.:")).toBe("1.2.3-rc.1+b7@sha256:0123456789ab");
  });

  it("is undefined for a key it does not recognise (such a row is kept)", () => {
    expect(renderRevision("apps@main:web:")).toBeUndefined();
    expect(renderRevision(`Apps@${A}:web:`)).toBeUndefined();
  });
});

describe("sortRenders", () => {
  const cutoff = new Date("2026-01-01T01:00:00Z");
  const old = new Date("2026-01-01T00:00:00Z");
  const recent = new Date("2026-01-01T02:00:00Z");

  it("removes old renders of revisions not kept and collects the digests of the rest", () => {
    const rows = [
      { key: `apps@${A}:web:`, digest: "sha256:a", createdAt: old },
      { key: `apps@${B}:web:`, digest: "sha256:b", createdAt: old },
      { key: `apps@${B}:web:broken`, digest: null, createdAt: old },
      { key: `apps@${C}:web:`, digest: "sha256:c", createdAt: recent },
      { key: "odd-key", digest: "sha256:odd", createdAt: old },
    ];
    expect(sortRenders(rows, new Set([A]), cutoff)).toEqual({
      remove: [`apps@${B}:web:`, `apps@${B}:web:broken`],
      // C is not kept but was rendered within the grace; the key that does not parse stays.
      digests: ["sha256:a", "sha256:c", "sha256:odd"],
    });
  });
});

describe("unreferenced", () => {
  it("keeps every digest that is referenced", () => {
    expect(unreferenced(["sha256:a", "sha256:b", "sha256:c"], new Set(["sha256:b"]))).toEqual(["sha256:a", "sha256:c"]);
  });
});

describe("treesToRemove", () => {
  it("removes trees of revisions not kept, leftovers included, unless used since the cutoff", () => {
    const trees = [
      { path: `/t/apps/${A}`, name: A, usedAt: 10 },
      { path: `/t/apps/${B}`, name: B, usedAt: 10 },
      { path: `/t/apps/${C}`, name: C, usedAt: 500 },
      { path: `/t/apps/.tmp-${D.slice(0, 12)}-x1`, name: `.tmp-${D.slice(0, 12)}-x1`, usedAt: 10 },
      { path: `/t/.config/${E}`, name: E, usedAt: 10 },
    ];
    expect(treesToRemove(trees, new Set([A]), 100)).toEqual([`/t/apps/${B}`, `/t/apps/.tmp-${D.slice(0, 12)}-x1`, `/t/.config/${E}`]);
  });

  it("names a revision's tree as the Source kind does (a chart revision's directory)", () => {
    const trees = [{ path: "/c/charts/1.2.3_sha256_0123456789ab", name: "1.2.3_sha256_0123456789ab", usedAt: 10 }, { path: "/c/charts/1.2.2_sha256_ba9876543210", name: "1.2.2_sha256_ba9876543210", usedAt: 10 }];
    expect(treesToRemove(trees, new Set(["1.2.3@sha256:0123456789ab"]), 100, (r) => r.replace(/[@:]/g, "_"))).toEqual(["/c/charts/1.2.2_sha256_ba9876543210"]);
  });
});
