import { mkdir, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

/** Write then rename: a crash never leaves a half-written file behind. */
export async function writeAtomic(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFile(`${path}.tmp`, text, { mode: 0o600 });
  await rename(`${path}.tmp`, path);
}
