import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { ChartArchiveError, DEFAULT_ARCHIVE_LIMITS, unpackChart } from "./chart-archive.js";
import { tgzOf, type TarEntry } from "./test-tar.js";

const tmp = mkdtempSync(join(tmpdir(), "gitfleet-chart-archive-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const chart: TarEntry[] = [
  { name: "web/", type: "5" },
  { name: "web/Chart.yaml", data: "apiVersion: v2\nname: web\nversion: 1.0.0\n" },
  { name: "web/templates/cm.yaml", data: "kind: ConfigMap\n" },
  { name: "web/charts/db/Chart.yaml", data: "apiVersion: v2\nname: db\nversion: 0.1.0\n" },
];

async function unpack(tgz: Buffer, limits = DEFAULT_ARCHIVE_LIMITS): Promise<string> {
  const dest = join(tmp, `c${n++}`);
  await unpackChart(tgz, dest, limits);
  return dest;
}

async function refusal(tgz: Buffer, limits = DEFAULT_ARCHIVE_LIMITS): Promise<string> {
  const dest = join(tmp, `c${n++}`);
  const err = await unpackChart(tgz, dest, limits).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ChartArchiveError);
  expect(() => readdirSync(dest)).toThrow(); // nothing written
  return (err as Error).message;
}

describe("unpackChart", () => {
  it("unpacks the chart with its top-level directory stripped, vendored subcharts included", async () => {
    const dir = await unpack(tgzOf(chart));
    expect(readFileSync(join(dir, "Chart.yaml"), "utf8")).toContain("name: web");
    expect(readFileSync(join(dir, "charts/db/Chart.yaml"), "utf8")).toContain("name: db");
  });

  it("takes long names from PAX headers", async () => {
    const long = `web/templates/${"x".repeat(120)}.yaml`;
    const record = ` path=${long}\n`; // "<length> path=<value>\n", the length counting its own 3 digits
    const dir = await unpack(tgzOf([...chart, { name: "PaxHeader", type: "x", data: `${record.length + 3}${record}` }, { name: "web/templates/short.yaml", data: "kind: Secret\n" }]));
    expect(readdirSync(join(dir, "templates"))).toContain(`${"x".repeat(120)}.yaml`);
  });

  it.each([
    [[...chart, { name: "web/../../etc/passwd", data: "x" }], /a path outside the chart is refused/],
    [[...chart, { name: "/etc/passwd", data: "x" }], /a path outside the chart is refused/],
    [[...chart, { name: "web/templates/link.yaml", type: "2", link: "/etc/passwd" }], /web\/templates\/link\.yaml: links are refused/],
    [[...chart, { name: "web/templates/hard.yaml", type: "1", link: "web/Chart.yaml" }], /links are refused/],
    [[...chart, { name: "web/dev", type: "3" }], /only files and directories are allowed \(tar type "3"\)/],
    [[...chart, { name: "other/Chart.yaml", data: "x" }], /want one top-level directory \(the chart\), found web, other/],
    [[{ name: "web/values.yaml", data: "a: 1\n" }], /web\/Chart\.yaml is missing: not a Helm chart/],
  ])("refuses a bad archive %#", async (entries, message) => {
    expect(await refusal(tgzOf(entries as TarEntry[]))).toMatch(message);
  });

  it("bounds the archive, each file, the unpacked total and the entry count (a gzip bomb stops at the limit)", async () => {
    const limits = { maxArchiveBytes: 64 * 1024, maxUnpackedBytes: 256 * 1024, maxFileBytes: 128 * 1024, maxEntries: 8 };
    const bomb = tgzOf([...chart, { name: "web/a", data: Buffer.alloc(100 * 1024) }, { name: "web/b", data: Buffer.alloc(100 * 1024) }, { name: "web/c", data: Buffer.alloc(100 * 1024) }]);
    expect(bomb.length).toBeLessThan(limits.maxArchiveBytes);
    expect(await refusal(bomb, limits)).toMatch(/unpacks to more than 262144 bytes/);
    expect(await refusal(tgzOf([...chart, { name: "web/big", data: Buffer.alloc(200 * 1024) }]), limits)).toMatch(/web\/big: 204800 bytes, over the 131072 byte limit per file/);
    expect(await refusal(gzipSync(Buffer.alloc(10 * 1024 * 1024)), limits)).toMatch(/unpacks to more than/);
    expect(await refusal(tgzOf([...chart, ...Array.from({ length: 8 }, (_, i) => ({ name: `web/f${i}`, data: "x" }))]), limits)).toMatch(/more than 8 entries/);
    expect(await refusal(Buffer.alloc(65 * 1024, 1), limits)).toMatch(/over the 65536 byte limit/);
    expect(await refusal(Buffer.from("not gzip"))).toMatch(/not a gzip archive/);
  });
});
