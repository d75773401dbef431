import { DEFAULT_MAX_BUNDLE_BYTES } from "@gitfleet/shared";
import { objectKey } from "@gitfleet/shared/manifest";
import type { RenderProblem } from "./errors.js";
import type { Located } from "./parse-stream.js";

/** Bounds on what one render may produce (--max-object-size, --max-bundle-size). */
export type RenderLimits = { maxObjectBytes: number; maxBundleBytes: number };

// Kubernetes stores an object in etcd under 1.5 MiB; ConfigMaps and Secrets hold at most 1 MiB.
export const DEFAULT_RENDER_LIMITS: RenderLimits = { maxObjectBytes: 1024 * 1024, maxBundleBytes: DEFAULT_MAX_BUNDLE_BYTES };

export function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** Every object over the object limit, by name and file, then the bundle if it is over its limit. */
export function sizeProblems(located: readonly Located[], limits: RenderLimits): RenderProblem[] {
  const problems: RenderProblem[] = [];
  let total = 0;
  for (const l of located) {
    const size = Buffer.byteLength(JSON.stringify(l.object));
    total += size;
    if (size > limits.maxObjectBytes) {
      const o = l.object;
      problems.push({ file: l.file, line: l.line, message: `${o.kind}/${o.metadata.name} is ${mib(size)}, over the object size limit of ${mib(limits.maxObjectBytes)} (${objectKey(o)})` });
    }
  }
  if (total > limits.maxBundleBytes) {
    problems.push({ message: `the bundle is ${mib(total)}, over the limit of ${mib(limits.maxBundleBytes)} (the hub's --max-bundle-size): split the App or raise the limit` });
  }
  return problems;
}

/** "1MiB", "512KiB", "2GiB", "1MB" or plain bytes. */
export function parseSize(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(B|KiB|MiB|GiB|KB|MB|GB)?$/i.exec(text.trim());
  if (!m || Number(m[1]) <= 0) throw new Error(`${flag} must be a positive size such as 512KiB, 1MiB or 64MiB, got "${text}"`);
  const unit = (m[2] ?? "B").toLowerCase();
  const factor = { b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, kb: 1e3, mb: 1e6, gb: 1e9 }[unit]!;
  return Math.floor(Number(m[1]) * factor);
}
