// Unpacks a chart archive (.tgz, as `helm package` makes it) without trusting it: regular files and
// directories only, every path inside the chart, sizes and counts bounded before anything is written.
import { gunzip } from "node:zlib";
import { promisify } from "node:util";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

/** Bounds on one chart archive (helm's own loader stops at 100 MiB unpacked and 5 MiB per file). */
export type ArchiveLimits = { maxArchiveBytes: number; maxUnpackedBytes: number; maxFileBytes: number; maxEntries: number };
export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = { maxArchiveBytes: 20 * 1024 * 1024, maxUnpackedBytes: 100 * 1024 * 1024, maxFileBytes: 5 * 1024 * 1024, maxEntries: 10_000 };

/** The archive is not a chart we unpack; the message says which entry and why. */
export class ChartArchiveError extends Error {
  override name = "ChartArchiveError";
}

type Entry = { path: string; type: "file" | "dir"; data: Buffer };

const BLOCK = 512;
const gunzipAsync = promisify(gunzip);

/** Unpacks tgz into dest with the chart's top-level directory stripped, so dest/Chart.yaml is the chart's; returns the chart's directory name. */
export async function unpackChart(tgz: Buffer, dest: string, limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS): Promise<string> {
  if (tgz.length > limits.maxArchiveBytes) throw new ChartArchiveError(`the archive is ${tgz.length} bytes, over the ${limits.maxArchiveBytes} byte limit`);
  let tar: Buffer;
  try {
    // The tar stream holds headers and padding besides the files: allow some room over the file limit.
    tar = await gunzipAsync(tgz, { maxOutputLength: limits.maxUnpackedBytes + (limits.maxEntries + 2) * 2 * BLOCK });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === "ERR_BUFFER_TOO_LARGE" || e instanceof RangeError) throw new ChartArchiveError(`unpacks to more than ${limits.maxUnpackedBytes} bytes`);
    throw new ChartArchiveError(`not a gzip archive: ${e.message}`);
  }
  const entries = readTar(tar, limits);
  const top = new Set(entries.map((e) => e.path.split("/")[0]!));
  if (top.size !== 1) throw new ChartArchiveError(`want one top-level directory (the chart), found ${[...top].slice(0, 5).join(", ")}`);
  const [name] = top as Set<string>;
  const inner = entries.map((e) => ({ ...e, path: e.path.split("/").slice(1).join("/") })).filter((e) => e.path !== "");
  if (!inner.some((e) => e.path === "Chart.yaml" && e.type === "file")) throw new ChartArchiveError(`${name}/Chart.yaml is missing: not a Helm chart`);
  await mkdir(dest, { recursive: true });
  for (const e of inner) {
    const path = join(dest, e.path);
    if (e.type === "dir") await mkdir(path, { recursive: true });
    else {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, e.data, { mode: 0o644 });
    }
  }
  return name!;
}

/** The entries of a tar stream (ustar, PAX and GNU long names); anything but files and directories is refused. */
export function readTar(tar: Buffer, limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS): Entry[] {
  const entries: Entry[] = [];
  let total = 0;
  let longName: string | undefined;
  let offset = 0;
  while (offset + BLOCK <= tar.length) {
    const header = tar.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) break;
    if (!checksumOk(header)) throw new ChartArchiveError(`corrupt tar header at byte ${offset}`);
    const size = octal(header.subarray(124, 136), offset);
    const type = String.fromCharCode(header[156]!);
    const start = offset + BLOCK;
    if (start + size > tar.length) throw new ChartArchiveError(`truncated tar entry at byte ${offset}`);
    const data = tar.subarray(start, start + size);
    offset = start + Math.ceil(size / BLOCK) * BLOCK;
    if (type === "x") {
      longName = paxPath(data) ?? longName;
      continue;
    }
    if (type === "L") {
      longName = cString(data);
      continue;
    }
    if (type === "g") continue; // global PAX attributes: nothing we use
    const ustar = header.subarray(257, 262).toString("latin1") === "ustar";
    const prefix = ustar ? cString(header.subarray(345, 500)) : "";
    const raw = longName ?? (prefix ? `${prefix}/${cString(header.subarray(0, 100))}` : cString(header.subarray(0, 100)));
    longName = undefined;
    if (type === "1" || type === "2") throw new ChartArchiveError(`${raw}: links are refused in a chart archive`);
    if (type !== "0" && type !== "\0" && type !== "5" && type !== "7") throw new ChartArchiveError(`${raw}: only files and directories are allowed (tar type "${type}")`);
    const path = safePath(raw);
    if (entries.length >= limits.maxEntries) throw new ChartArchiveError(`more than ${limits.maxEntries} entries`);
    if (type === "5") {
      entries.push({ path, type: "dir", data: Buffer.alloc(0) });
      continue;
    }
    if (size > limits.maxFileBytes) throw new ChartArchiveError(`${path}: ${size} bytes, over the ${limits.maxFileBytes} byte limit per file`);
    total += size;
    if (total > limits.maxUnpackedBytes) throw new ChartArchiveError(`unpacks to more than ${limits.maxUnpackedBytes} bytes`);
    entries.push({ path, type: "file", data });
  }
  return entries;
}

// Relative, no "..", no empty or "." segments (a trailing "/" of a directory aside), no backslashes or NULs.
function safePath(raw: string): string {
  const path = raw.replace(/\/+$/, "").replace(/^\.\//, "");
  const parts = path.split("/");
  if (path === "" || raw.startsWith("/") || /[\\\0]/.test(path) || parts.some((p) => p === ".." || p === "." || p === "")) {
    throw new ChartArchiveError(`${JSON.stringify(raw)}: a path outside the chart is refused`);
  }
  return path;
}

function cString(b: Buffer): string {
  const end = b.indexOf(0);
  return b.subarray(0, end < 0 ? b.length : end).toString("utf8");
}

function octal(b: Buffer, at: number): number {
  // Base-256 sizes (high bit set) are for files over 8 GiB: far over any limit.
  if ((b[0]! & 0x80) !== 0) throw new ChartArchiveError(`tar entry at byte ${at} is too large`);
  const s = cString(b).trim();
  if (!/^[0-7]*$/.test(s)) throw new ChartArchiveError(`corrupt tar size at byte ${at}`);
  return s === "" ? 0 : parseInt(s, 8);
}

function checksumOk(header: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : header[i]!;
  const want = cString(header.subarray(148, 156)).trim();
  return /^[0-7]+$/.test(want) && parseInt(want, 8) === sum;
}

// PAX records: "<length> <key>=<value>\n"; only path matters here.
function paxPath(data: Buffer): string | undefined {
  let path: string | undefined;
  let i = 0;
  while (i < data.length) {
    const space = data.indexOf(0x20, i);
    if (space < 0) break;
    const len = parseInt(data.subarray(i, space).toString("latin1"), 10);
    if (!Number.isFinite(len) || len <= 0) throw new ChartArchiveError("corrupt PAX header");
    const record = data.subarray(space + 1, i + len - 1).toString("utf8");
    const eq = record.indexOf("=");
    if (record.slice(0, eq) === "path") path = record.slice(eq + 1);
    i += len;
  }
  return path;
}
