// `node test/dist/bench/profile-summary.js FILE.cpuprofile [N] [--after FUNCTION [--seconds S]]`:
// where a V8 CPU profile (written with GITFLEET_BENCH_CPU_PROF=DIR) spends its time, by package, by
// function (self), and by function including callees. --after counts only the samples from the first
// one with FUNCTION on its stack (e.g. verifyWebhook: one commit), for S seconds (default: to the end).
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

/** A pause this long between samples under the --after function ends a burst. */
const BURST_GAP_US = 2e6;

const { positionals, values: opts } = parseArgs({ allowPositionals: true, options: { after: { type: "string" }, seconds: { type: "string" } } });
const [file, count = "30"] = positionals;
if (!file) {
  console.error("usage: profile-summary FILE.cpuprofile [N] [--after FUNCTION [--seconds S]]");
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, "utf8")) as { nodes: Node[]; startTime: number; endTime: number; samples?: number[]; timeDeltas?: number[] };
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
if (opts.after) window(opts.after, opts.seconds === undefined ? Infinity : Number(opts.seconds) * 1e6);
const hits = profile.nodes.reduce((n, x) => n + (x.hitCount ?? 0), 0);
const msPerHit = (profile.endTime - profile.startTime) / 1000 / Math.max(1, hits);

/** Recounts hitCount from the samples taken in [start of fn's last burst, + spanUs], and the profile's times to match. */
function window(fn: string, spanUs: number): void {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const under = (id: number | undefined): boolean => id !== undefined && (byId.get(id)!.callFrame.functionName === fn || under(parent.get(id)));
  const samples = profile.samples ?? [];
  const times: number[] = [];
  let t = profile.startTime;
  for (const d of profile.timeDeltas ?? []) times.push((t += d));
  const hits = samples.flatMap((id, i) => (under(id) ? [times[i]!] : []));
  if (hits.length === 0) {
    console.error(`no sample has ${fn} on its stack`);
    process.exit(2);
  }
  let k = hits.length - 1;
  while (k > 0 && hits[k]! - hits[k - 1]! < BURST_GAP_US) k--;
  const from = hits[k]!;
  for (const n of profile.nodes) n.hitCount = 0;
  let last = from;
  samples.forEach((id, i) => {
    if (times[i]! < from || times[i]! > from + spanUs) return;
    byId.get(id)!.hitCount! += 1;
    last = times[i]!;
  });
  profile.startTime = from;
  profile.endTime = last;
}

const where = (url: string) => {
  if (!url) return "(native)";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const own = /\/(hub|agent|shared|test)\/(?:dist|src)\/([^/]+)/.exec(url);
  if (own) return `${own[1]}/${own[2]!.replace(/\.js$/, "")}`;
  return url.startsWith("node:") ? url : url.replace(/^file:\/\//, "");
};
const fnKey = (n: Node) => `${n.callFrame.functionName || "(anonymous)"} ${where(n.callFrame.url)}${n.callFrame.url.includes("/") ? `/${n.callFrame.url.split("/").pop()}` : ""}:${n.callFrame.lineNumber + 1}`;

const self = new Map<string, number>();
const pkg = new Map<string, number>();
const inclusive = new Map<string, number>();
const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);

function walk(n: Node, onStack: Set<string>): number {
  const ms = (n.hitCount ?? 0) * msPerHit;
  const key = fnKey(n);
  const special = ["(idle)", "(program)", "(garbage collector)"].includes(n.callFrame.functionName);
  add(self, key, ms);
  add(pkg, special ? n.callFrame.functionName : where(n.callFrame.url), ms);
  const fresh = !onStack.has(key);
  if (fresh) onStack.add(key);
  let total = ms;
  for (const c of n.children ?? []) total += walk(byId.get(c)!, onStack);
  if (fresh) {
    onStack.delete(key);
    add(inclusive, key, total);
  }
  return total;
}
walk(profile.nodes[0]!, new Set());

const top = (m: Map<string, number>, n: number) =>
  [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${v.toFixed(0).padStart(8)} ms  ${k}`).join("\n");
console.log(`${file}: ${((profile.endTime - profile.startTime) / 1000).toFixed(0)} ms\n\n-- self time by package\n${top(pkg, 20)}\n\n-- self time by function\n${top(self, Number(count))}\n\n-- time including callees\n${top(inclusive, Number(count))}`);
