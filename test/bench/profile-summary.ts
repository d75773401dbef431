// `node test/dist/bench/profile-summary.js FILE.cpuprofile [N]`: where a V8 CPU profile (written
// with GITFLEET_BENCH_CPU_PROF=DIR) spends its time, by package, by function (self), and by
// function including callees.
import { readFileSync } from "node:fs";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

const [file, count = "30"] = process.argv.slice(2);
if (!file) {
  console.error("usage: profile-summary FILE.cpuprofile [N]");
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, "utf8")) as { nodes: Node[]; startTime: number; endTime: number };
const hits = profile.nodes.reduce((n, x) => n + (x.hitCount ?? 0), 0);
const msPerHit = (profile.endTime - profile.startTime) / 1000 / Math.max(1, hits);
const byId = new Map(profile.nodes.map((n) => [n.id, n]));

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
