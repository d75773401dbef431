import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { AssignmentSetSchema, bundleDigest, InlineBundleSchema } from "@gitfleet/shared";
import { fileAssignmentStore } from "./assignment-store.js";
import { BundleDigestError, createBundleCache } from "./bundle-cache.js";

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

const newDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), "bundles-"));
  dirs.push(dir);
  return dir;
};
const inline = (digest: string, text: string) => create(InlineBundleSchema, { digest, gzip: gzipSync(text) });

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

it("takes an offered inline bundle without a fetch and stores it; a wrong one is fetched instead", async () => {
  const dir = await newDir();
  const text = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"inline"}}\n';
  const digest = bundleDigest(text);
  const fetched: string[] = [];
  const warnings: unknown[] = [];
  const cache = createBundleCache(dir, async (d) => {
    fetched.push(d);
    return text;
  }, { warn: (...args: unknown[]) => void warnings.push(args) });
  cache.offer([inline(digest, text)]);
  expect(await cache.get(digest)).toBe(text);
  expect(fetched).toEqual([]);
  const [file] = await readdir(join(dir, "bundles"));
  expect(await readFile(join(dir, "bundles", file!), "utf8")).toBe(text);

  // Offered under a digest its text does not have: refused, and fetched from the hub.
  const other = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"other"}}\n';
  const otherDigest = bundleDigest(other);
  const liar = createBundleCache(await newDir(), async (d) => {
    fetched.push(d);
    return other;
  }, { warn: (...args: unknown[]) => void warnings.push(args) });
  liar.offer([inline(otherDigest, "tampered")]);
  expect(await liar.get(otherDigest)).toBe(other);
  expect(fetched).toEqual([otherDigest]);
  expect(JSON.stringify(warnings)).toContain(`bundle ${otherDigest} sent inline has digest ${bundleDigest("tampered")}`);
  // A later set's offers replace the earlier ones: this one is fetched (and this hub serves the wrong text).
  liar.offer([inline(digest, text)]);
  liar.offer([]);
  await expect(liar.get(digest)).rejects.toBeInstanceOf(BundleDigestError);
  expect(fetched).toEqual([otherDigest, digest]);
});

it("keeps inline bundles out of assignments.json", async () => {
  const dir = await newDir();
  const store = fileAssignmentStore(dir);
  const set = create(AssignmentSetSchema, { assignments: [{ app: "a", bundleDigest: "sha256:1" }], generation: 3n, bundles: [inline("sha256:1", "manifests")] });
  await store.save(set);
  expect(await readFile(join(dir, "assignments.json"), "utf8")).not.toContain("bundles");
  expect(await store.load()).toEqual(create(AssignmentSetSchema, { assignments: set.assignments, generation: 3n }));
});
