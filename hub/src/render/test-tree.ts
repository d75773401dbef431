import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll } from "vitest";

/** For tests: a maker of file trees under a temp dir removed after the file's tests. */
export function treeMaker(prefix: string): { tmp: string; tree(files: Record<string, string>): string } {
  const tmp = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  let n = 0;
  return {
    tmp,
    tree(files) {
      const root = join(tmp, `t${n++}`);
      mkdirSync(root, { recursive: true });
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(root, path)), { recursive: true });
        writeFileSync(join(root, path), text);
      }
      return root;
    },
  };
}
