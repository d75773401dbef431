// A host process for many kube-sim clusters (no agents here, so agent memory can be measured apart).
import { startKubeSim, type KubeSim } from "../kube-sim/index.js";
import { selfStats } from "./proc-stats.js";
import type { FromSimHost, ToSimHost } from "./protocol.js";
import { DRIFT_OBJECT, NAMESPACE } from "./repo.js";

const sims = new Map<string, KubeSim>();
// A real API server sends a watch BOOKMARK about once a minute; kube-sim's default (every second)
// would make 5 watches x 1000 agents = 5000 events a second, load no real fleet has.
const BOOKMARK_INTERVAL_MS = 60_000;
const reply = (msg: FromSimHost) => process.send!(msg);

async function start(names: string[], readyDelayMs: number): Promise<void> {
  for (let i = 0; i < names.length; i += 50) {
    await Promise.all(names.slice(i, i + 50).map(async (name) => sims.set(name, await startKubeSim({ readyDelayMs, name, bookmarkIntervalMs: BOOKMARK_INTERVAL_MS }))));
  }
  reply({ type: "started", sims: names.map((name) => ({ name, kubeconfig: sims.get(name)!.kubeconfig() })) });
}

/** A person edits a managed field with another field manager (kubectl edit would do the same). */
async function drift(names: string[]): Promise<void> {
  const at: Record<string, number> = {};
  await Promise.all(names.map(async (name) => {
    const sim = sims.get(name)!;
    const path = `/api/v1/namespaces/${NAMESPACE}/${DRIFT_OBJECT.resource}/${DRIFT_OBJECT.name}?fieldManager=bench-drift`;
    at[name] = Date.now();
    const res = await sim.request("PATCH", path, {
      headers: { "content-type": "application/merge-patch+json" },
      body: JSON.stringify({ data: { payload: `changed by hand at ${at[name]}` } }),
    });
    if (res.status !== 200) throw new Error(`drift patch on ${name}: HTTP ${res.status} ${res.body.toString("utf8")}`);
  }));
  reply({ type: "drifted", at });
}

process.on("message", (msg: ToSimHost) => {
  const fail = (err: unknown) => reply({ type: "error", message: (err as Error).stack ?? String(err) });
  switch (msg.type) {
    case "start":
      return void start(msg.names, msg.readyDelayMs).catch(fail);
    case "drift":
      return void drift(msg.names).catch(fail);
    case "stats":
      return reply({ type: "stats", stats: selfStats() });
    case "stop":
      return void Promise.all([...sims.values()].map((s) => s.close())).finally(() => process.exit(0));
  }
});
process.on("disconnect", () => process.exit(0));
reply({ type: "ready", stats: selfStats() });
