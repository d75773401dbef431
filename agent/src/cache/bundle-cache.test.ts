import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { bundleDigest } from "@gitfleet/shared";
import { BundleDigestError, createBundleCache } from "./bundle-cache.js";

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

it("fetches once, serves from disk, refetches a corrupted file and refuses a wrong digest", async () => {
  const dir = await mkdtemp(join(tmpdir(), "bundles-"));
  dirs.push(dir);
  const text = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}}\n';
  const digest = bundleDigest(text);
  let fetches = 0;
  const cache = createBundleCache(dir, async () => {
    fetches++;
    return text;
  });
  expect(await cache.get(digest)).toBe(text);
  expect(await cache.get(digest)).toBe(text);
  expect(fetches).toBe(1);
  const [file] = await readdir(join(dir, "bundles"));
  await writeFile(join(dir, "bundles", file!), "tampered");
  expect(await cache.get(digest)).toBe(text);
  expect(fetches).toBe(2);
  const liar = createBundleCache(dir, async () => "something else");
  await expect(liar.get("sha256:0000")).rejects.toBeInstanceOf(BundleDigestError);
});
