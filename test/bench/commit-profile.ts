// `node test/dist/bench/commit-profile.js --clusters 10000 [--commits 2] [--postgres URL] [--cpu-prof FILE]
// [--heap-prof FILE]`: each commit of the bench's App through the hub's delivery in this process, without gRPC or agent
// processes, to see what a commit costs the hub itself: the webhook's fetch, renders, rollout,
// the push to N recorded streams (each AssignmentSet serialized as the hub's grpc-js serializer does), per cluster
// its bundle inflated from the AssignmentSet or (not inline) a GetBundle, and two status reports per cluster decoded from protobuf bytes (Progressing at once,
// Healthy --ready-delay ms later), as in `npm run bench -- --agents protocol`. Prints CPU seconds,
// wall times and memory peaks of the commit (after a first delivery that is not counted).
import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { Session } from "node:inspector/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PerformanceObserver } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { ConnectRequestSchema, ConnectResponseSchema, HealthState, parseBundle, SyncState, type Assignment, type InlineBundle } from "@gitfleet/shared";
import { inflateInline } from "@gitfleet/agent/dist/cache/bundle-cache.js";
import { pino } from "pino";
import { createDelivery, type Delivery } from "@gitfleet/hub/dist/src/delivery/index.js";
import type { AgentStreams } from "@gitfleet/hub/dist/src/delivery/context.js";
import { openCoordination, openStore, type Store } from "@gitfleet/hub/dist/src/store/index.js";
import { newHubId } from "@gitfleet/hub/dist/src/ha/index.js";
import { createConnectDecoder } from "@gitfleet/hub/dist/src/transport/grpc/connect-decoder.js";
import { encodeOnce } from "@gitfleet/hub/dist/src/transport/grpc/encode-once.js";
import { tuneHeap } from "@gitfleet/hub/dist/src/lib/heap.js";
import { HEAP_TUNING } from "@gitfleet/hub/dist/src/config/limits.js";
import { postgresSchema } from "../lib/postgres.js";
import { APP, baseFiles, clusterLabels, clusterName, createBenchRepo, definitions, NAMESPACE, SOURCE } from "./repo.js";

const { values: opts } = parseArgs({
  options: {
    clusters: { type: "string", default: "3000" },
    objects: { type: "string", default: "50" },
    overlays: { type: "string", default: "3" },
    "ready-delay": { type: "string", default: "100" },
    commits: { type: "string", default: "1" },
    postgres: { type: "string" },
    "cpu-prof": { type: "string" },
    "heap-prof": { type: "string" },
  },
});
const N = Number(opts.clusters);
const OBJECTS = Number(opts.objects);
const OVERLAYS = Number(opts.overlays);
const READY_DELAY_MS = Number(opts["ready-delay"]);

/** Peaks of RSS and heap in use, sampled every 50 ms, and GC pause time. */
function memorySampler() {
  let rss = 0;
  let heap = 0;
  let gcMs = 0;
  const sample = () => {
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss);
    heap = Math.max(heap, m.heapUsed);
  };
  const timer = setInterval(sample, 50);
  const gc = new PerformanceObserver((list) => list.getEntries().forEach((e) => (gcMs += e.duration)));
  gc.observe({ entryTypes: ["gc"] });
  return {
    reset() {
      sample();
      [rss, heap, gcMs] = [process.memoryUsage().rss, process.memoryUsage().heapUsed, 0];
    },
    read: () => ({ peak_rss_mb: Math.round(rss / 2 ** 20), peak_heap_mb: Math.round(heap / 2 ** 20), gc_s: Math.round(gcMs) / 1000 }),
    stop() {
      clearInterval(timer);
      gc.disconnect();
    },
  };
}

/**
 * Agent streams that act as protocol agents: each AssignmentSet is serialized (the hub's cost of
 * sending it), the new bundle fetched through delivery.bundleFor, and statuses sent back as bytes
 * that the hub decodes, as grpc-js would. `onStored` hears when each cluster's Healthy status at a
 * revision is stored.
 */
function protocolStreams(clusters: string[], delivery: () => Delivery, onAssigned: (revision: string) => void, onStored: (revision: string) => void): AgentStreams {
  const connected = new Set(clusters);
  const generations = new Map<string, number>();
  const digests = new Map<string, Set<string>>();
  const held = new Map<string, string>();
  // Encoded once per bundle and health; each cluster's report is decoded on its own, as the hub decodes each message.
  const encoded = new Map<string, Uint8Array>();
  const reportBytes = (a: Assignment, text: string, health: HealthState) => {
    const key = `${a.bundleDigest}\0${health}`;
    let bytes = encoded.get(key);
    if (!bytes) {
      const objects = parseBundle(text).map((o) => ({ ref: { apiVersion: o.apiVersion, kind: o.kind, namespace: o.metadata.namespace ?? NAMESPACE, name: o.metadata.name }, action: "configured", health: "Current", message: "" }));
      const status = { app: a.app, revision: a.revision, bundleDigest: a.bundleDigest, sync: SyncState.SYNCED, health, objects, message: "", observedAt: timestampFromDate(new Date()) };
      bytes = toBinary(ConnectRequestSchema, create(ConnectRequestSchema, { msg: { case: "status", value: { apps: [status] } } }));
      encoded.set(key, bytes);
    }
    return bytes;
  };
  const decode = createConnectDecoder();
  const serialize = encodeOnce(ConnectResponseSchema);
  const report = async (cluster: string, bytes: Uint8Array) => {
    const req = decode(bytes);
    if (req.msg.case === "status") await delivery().events.status(cluster, req.msg.value);
  };
  async function getBundle(cluster: string, digest: string): Promise<string> {
    const bundle = await delivery().bundleFor(cluster, digest);
    if (!bundle) throw new Error(`${cluster}: no bundle ${digest}`);
    return bundle.raw.toString("utf8");
  }
  async function deliver(cluster: string, a: Assignment, inline?: InlineBundle): Promise<void> {
    const text = inline ? inflateInline(inline) : await getBundle(cluster, a.bundleDigest);
    void report(cluster, reportBytes(a, text, HealthState.PROGRESSING));
    await new Promise((r) => setTimeout(r, READY_DELAY_MS));
    if (held.get(cluster) !== a.bundleDigest) return;
    await report(cluster, reportBytes(a, text, HealthState.HEALTHY));
    onStored(a.revision);
  }
  return {
    get: (cluster) => (connected.has(cluster) ? {} : undefined),
    clusters: () => clusters,
    sentGeneration: (cluster) => generations.get(cluster),
    assignedDigests: (cluster) => digests.get(cluster),
    send(cluster, msg) {
      serialize(msg);
      if (msg.msg?.case !== "assignments") return true;
      const set = msg.msg.value;
      generations.set(cluster, Number(set.generation ?? 0));
      const assignments = (set.assignments ?? []) as Assignment[];
      digests.set(cluster, new Set(assignments.map((a) => a.bundleDigest)));
      const a = assignments.find((x) => x.app === APP);
      if (!a || held.get(cluster) === a.bundleDigest) return true;
      held.set(cluster, a.bundleDigest);
      onAssigned(a.revision);
      deliver(cluster, a, (set.bundles as InlineBundle[] | undefined)?.find((b) => b.digest === a.bundleDigest)).catch((err: unknown) => console.error(`${cluster}: ${(err as Error).message}`));
      return true;
    },
  };
}

async function main(): Promise<void> {
  // The heap as the hub bounds it (its GITFLEET_YOUNG_GENERATION_MB and GITFLEET_HEAP_GROWING_PERCENT).
  const untune = tuneHeap(HEAP_TUNING);
  const dir = await mkdtemp(join(tmpdir(), "gitfleet-commit-profile-"));
  const schema = opts.postgres ? postgresSchema(opts.postgres, "commitprof") : undefined;
  let store: Store | undefined;
  let delivery: Delivery | undefined;
  const memory = memorySampler();
  try {
    const repo = createBenchRepo(join(dir, "git"), OBJECTS, OVERLAYS, false);
    store = await openStore({ dataDir: dir, databaseUrl: schema?.url });
    const names = Array.from({ length: N }, (_, i) => clusterName(i));
    for (let i = 0; i < N; i += 500) {
      await store.db.cluster.createMany({ data: names.slice(i, i + 500).map((name, j) => ({ name, credentialHash: `hash-${name}`, agentLabels: JSON.stringify(clusterLabels(i + j, OVERLAYS, 0)), approved: true, state: "Connected", lastHeartbeat: new Date() })) });
    }
    const hubId = newHubId();
    const coordination = await openCoordination(store, hubId, pino({ level: "silent" }), { ttlMs: 10_000, renewMs: 2_000 });
    // Per revision: clusters that got it, and whose Healthy status at it is stored, with when the last did.
    const progress = new Map<string, { assigned: number; assignedAt: number; stored: number; storedAt: number; storedTimes: number[] }>();
    const of = (rev: string) => progress.get(rev) ?? progress.set(rev, { assigned: 0, assignedAt: 0, stored: 0, storedAt: 0, storedTimes: [] }).get(rev)!;
    const sessions = protocolStreams(names, () => delivery!, (rev) => {
      const p = of(rev);
      p.assigned++;
      p.assignedAt = Date.now();
    }, (rev) => {
      const p = of(rev);
      p.stored++;
      p.storedAt = Date.now();
      p.storedTimes.push(p.storedAt);
    });
    delivery = createDelivery({ db: store.db, log: pino({ level: process.env.GITFLEET_LOG_LEVEL ?? "warn" }), dataDir: dir, sessions, heartbeatTimeoutMs: 60_000, coordination });
    delivery.start();
    const until = async (what: string, done: () => boolean, ms = 600_000) => {
      const end = Date.now() + ms;
      while (!done()) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    };

    const first = Date.now();
    await delivery.apply(definitions(repo.dir, OVERLAYS, "secret", false), "bench", "bench");
    const rev1 = repo.git("rev-parse", "HEAD");
    await until("first delivery stored", () => of(rev1).stored >= N);
    console.error(`first delivery to ${N} clusters: ${((Date.now() - first) / 1000).toFixed(1)} s`);

    const results = [];
    for (let c = 0; c < Number(opts.commits); c++) {
      await new Promise((r) => setTimeout(r, 2_000)); // the first delivery's rollout ticks settle
      const rev = repo.commit(baseFiles(OBJECTS, c + 2, false), `revision ${c + 2}`);
      const profiler = opts["cpu-prof"] || opts["heap-prof"] ? new Session() : undefined;
      if (profiler) {
        profiler.connect();
        await profiler.post("Profiler.enable");
        await profiler.post("Profiler.start");
        // Allocations too, collected or not (`--heap-prof FILE`: a .heapprofile for Chrome's DevTools).
        if (opts["heap-prof"]) await profiler.post("HeapProfiler.startSampling", { samplingInterval: 65536, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
      }
      memory.reset();
      const cpu0 = process.cpuUsage();
      const t0 = Date.now();
      delivery.trigger(SOURCE);
      await until(`commit ${c + 2} stored`, () => of(rev).stored >= N);
      const cpu = process.cpuUsage(cpu0);
      const p = of(rev);
      const times = p.storedTimes.map((t) => (t - t0) / 1000).sort((a, b) => a - b);
      results.push({
        clusters: N,
        database: opts.postgres ? "postgresql" : "sqlite",
        cpu_s: Math.round((cpu.user + cpu.system) / 1e4) / 100,
        fanout_max_s: (p.assignedAt - t0) / 1000,
        stored_p50_s: times[Math.floor(times.length / 2)],
        stored_all_s: (p.storedAt - t0) / 1000,
        ...memory.read(),
      });
      console.log(JSON.stringify(results.at(-1)));
      if (profiler) {
        if (opts["heap-prof"]) await writeFile(opts["heap-prof"], JSON.stringify((await profiler.post("HeapProfiler.stopSampling")).profile));
        const { profile } = await profiler.post("Profiler.stop");
        if (opts["cpu-prof"]) await writeFile(opts["cpu-prof"].replace(/(\.cpuprofile)?$/, c ? `-${c + 1}.cpuprofile` : ".cpuprofile"), JSON.stringify(profile));
        profiler.disconnect();
      }
    }
    await delivery.stop();
    await coordination.close();
  } finally {
    untune();
    memory.stop();
    await store?.close();
    await schema?.drop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
