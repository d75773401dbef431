import { gzipSync } from "node:zlib";

/** For tests: a tar entry; type is the tar type flag ("0" file, "5" directory, "2" symlink, "x" PAX header). */
export type TarEntry = { name: string; data?: string | Buffer; type?: string; link?: string };

/** For tests: a ustar stream of entries, so archives helm would never make can be tried. */
export function tarOf(entries: readonly TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const data = Buffer.from(e.data ?? "");
    const h = Buffer.alloc(512);
    h.write(e.name.slice(0, 100), 0, "utf8");
    h.write("0000644\0", 100);
    h.write("0000000\0", 108);
    h.write("0000000\0", 116);
    h.write(data.length.toString(8).padStart(11, "0") + "\0", 124);
    h.write("00000000000\0", 136);
    h.write(" ".repeat(8), 148);
    h.write(e.type ?? "0", 156);
    if (e.link) h.write(e.link, 157);
    h.write("ustar\x0000", 257, "latin1");
    let sum = 0;
    for (const b of h) sum += b;
    h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148);
    blocks.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  return Buffer.concat([...blocks, Buffer.alloc(1024)]);
}

export const tgzOf = (entries: readonly TarEntry[]): Buffer => gzipSync(tarOf(entries));
