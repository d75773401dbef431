// Smoke test of `npm run bench` on a tiny fleet, in both modes (full simulation, protocol agents):
// it runs end to end, writes every JSON key, and renders once per overlay. Needs the build
// (test/dist), like the end-to-end suites.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { ROOT, run } from "../lib/processes.js";

const KEYS = [
  "clusters", "objects", "registration_s", "delivery_p50_s", "delivery_p95_s", "delivery_p99_s", "delivery_max_s",
  "renders_per_commit", "distinct_overlays", "distinct_inputs", "hub_peak_rss_mb", "hub_cpu_s", "agent_rss_mb_per_cluster",
  "bytes_to_agents", "drift_report_s", "apply_agent_s", "apply_kubectl_s",
];

let dir = "";
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function bench(name: string, args: string[]): Promise<{ stdout: string; result: Record<string, unknown> }> {
  dir ||= await mkdtemp(join(tmpdir(), "gitfleet-bench-test-"));
  const out = join(dir, `${name}.json`);
  const r = await run(`${ROOT}test/dist/bench/main.js`, [...args, "--idle", "0", "--timeout", "50", "--quiet", "--out", out], { timeoutMs: 110_000 });
  expect(r.code, r.stderr).toBe(0);
  return { stdout: r.stdout, result: JSON.parse(await readFile(out, "utf8")) as Record<string, unknown> };
}

it("runs with 3 clusters and 5 objects, writes every key, and renders once per overlay", async () => {
  const { stdout, result } = await bench("plain", ["--clusters", "3", "--objects", "5", "--apply-runs", "1"]);
  expect(stdout).toContain("renders per commit");
  for (const key of KEYS) expect(result, key).toHaveProperty(key);
  expect(result.clusters).toBe(3);
  expect(result.objects).toBe(5);
  expect(result.distinct_overlays).toBe(3);
  expect(result.distinct_inputs).toBe(3);
  expect(result.renders_per_commit).toBe(result.distinct_overlays);
  for (const key of KEYS.filter((k) => k.endsWith("_s") || k.endsWith("_mb") || k.endsWith("_cluster"))) {
    expect(typeof result[key], key).toBe("number");
    expect(result[key] as number, key).toBeGreaterThan(0);
  }
  expect(result.bytes_to_agents as number).toBeGreaterThan(0);
}, 120_000);

it("with per-region values (substitute) renders once per region, not per cluster", async () => {
  const { stdout, result } = await bench("regions", ["--clusters", "5", "--objects", "5", "--overlays", "1", "--regions", "2", "--apply-runs", "0", "--drift-clusters", "0"]);
  expect(stdout).toContain("2 regions (substitute)");
  expect(result.distinct_inputs).toBe(2);
  expect(result.renders_per_commit).toBe(2);
}, 120_000);

const PROTOCOL_KEYS = [
  "registration_s", "registration_per_s", "hub_fanout_max_s", "status_stored_p50_s", "status_stored_p99_s", "status_stored_all_s",
  "status_writes_per_commit", "statuses_written_per_s", "hub_cpu_delivery_s", "hub_peak_rss_mb", "database_size_mb", "drift_report_s",
];

it("runs protocol agents: every cluster registers, gets the commit, and has its status stored", async () => {
  const { stdout, result } = await bench("protocol", ["--agents", "protocol", "--clusters", "6", "--per-process", "3", "--objects", "5", "--drift-clusters", "2"]);
  expect(stdout).toContain("protocol agents");
  expect(result).toMatchObject({ agents: "protocol", clusters: 6, apply_agent_s: null, renders_per_commit: 3 });
  for (const key of PROTOCOL_KEYS) {
    expect(typeof result[key], key).toBe("number");
    expect(result[key] as number, key).toBeGreaterThan(0);
  }
  // Each cluster's Synced+Healthy status is stored once (coalesced with its Progressing one or after it).
  expect(result.status_writes_per_commit as number).toBeGreaterThanOrEqual(6);
  expect(result.status_reports_per_commit as number).toBeGreaterThanOrEqual(result.status_writes_per_commit as number);
  expect((result.database_rows as Record<string, number>).AppStatus).toBe(6);
  // Every stream had a set before the commit: its bundle rode on the AssignmentSet, no GetBundle call.
  expect(result).toMatchObject({ bundles_inline_per_commit: 6, bundles_fetched_per_commit: 0 });
}, 120_000);

it("a failed run keeps the hub's log beside its removed directory and says where", async () => {
  // A log level pino does not know stops the hub at start.
  const r = await run(`${ROOT}test/dist/bench/main.js`, ["--clusters", "1", "--objects", "3", "--apply-runs", "0", "--memory-objects", "0", "--idle", "0", "--timeout", "50", "--quiet"], { env: { GITFLEET_BENCH_HUB_LOG: "no-such-level" }, timeoutMs: 60_000 });
  expect(r.code).not.toBe(0);
  const log = /^hub log: (.+)$/m.exec(r.stderr)?.[1];
  expect(log, r.stderr).toMatch(/gitfleet-bench-\w+\.hub\.log$/);
  try {
    expect(await readFile(log!, "utf8")).toContain("no-such-level");
    await expect(readFile(log!.replace(/\.hub\.log$/, "/hub.log"))).rejects.toThrow(/ENOENT/);
  } finally {
    await rm(log!, { force: true });
  }
}, 60_000);
