// Runs the agent's reconcile runner against an in-process kube-sim, with a fake hub for bundles.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { AssignmentSchema, AssignmentSetSchema, bundleDigest, canonicalize, createLogger, type AppStatus, type Assignment, type KubeObject } from "@gitfleet/shared";
import { createBundleCache } from "../../agent/src/cache/bundle-cache.js";
import { fileAssignmentStore } from "../../agent/src/cache/assignment-store.js";
import { createKube, type Kube } from "../../agent/src/kube/client.js";
import { simpleKubeconfig } from "../../agent/src/kube/access.js";
import { createRunner, type Runner, type RunnerOptions } from "../../agent/src/runner/runner.js";
import type { Outgoing } from "../../agent/src/connection/agent-link.js";
import type { KubeSim } from "../kube-sim/index.js";
import { onTestFinished } from "vitest";
import { waitFor } from "../lib/processes.js";
import type { FaultRule } from "../kube-sim/faults.js";

process.env.GITFLEET_LOG_LEVEL ??= "debug";
/** Every log line the agents wrote, kept in memory so tests can check what never appears. */
export const logLines: string[] = [];
export const log = createLogger("agent-test", { write: (line: string) => void logLines.push(line) });

/** Bundles the fake hub can serve, by digest. */
export const hubBundles = new Map<string, string>();

let seq = 0;
export const uniq = (prefix: string) => `${prefix}-${process.pid % 1000}-${++seq}-${Math.random().toString(36).slice(2, 6)}`;

export function assignment(app: string, objects: KubeObject[], extra: Partial<Omit<Assignment, "$typeName">> = {}): Assignment {
  const text = canonicalize(objects);
  const digest = bundleDigest(text);
  hubBundles.set(digest, text);
  return create(AssignmentSchema, { app, revision: `rev-${digest.slice(7, 15)}`, bundleDigest: digest, prune: true, ...extra });
}

export const assignmentSet = (...assignments: Assignment[]) => create(AssignmentSetSchema, { assignments, generation: 1n });

export function kubeFor(sim: KubeSim, opts: { namespaces?: readonly string[]; token?: string } = {}): Kube {
  const access = simpleKubeconfig(sim.kubeconfig({ token: opts.token }), tmpdir());
  if (!access) throw new Error("kube-sim's kubeconfig should be one the agent reads itself");
  return createKube(access, { namespaces: opts.namespaces });
}

export interface Agent {
  runner: Runner;
  kube: Kube;
  sent: Outgoing[];
  stateDir: string;
  /** The last status of app sent on the link. */
  lastSent(app: string): AppStatus | undefined;
  close(): Promise<void>;
}

export async function startAgent(sim: KubeSim, opts: Partial<RunnerOptions> & { stateDir?: string; fetch?: (digest: string) => Promise<string> } = {}): Promise<Agent> {
  const stateDir = opts.stateDir ?? (await mkdtemp(join(tmpdir(), "gitfleet-agent-")));
  const kube = opts.kube ?? kubeFor(sim, { namespaces: opts.namespaces });
  const fetch = opts.fetch ?? (async (d: string) => {
    const text = hubBundles.get(d);
    if (!text) throw new Error(`hub has no bundle ${d}`);
    return text;
  });
  const runner = createRunner({
    kube,
    bundles: createBundleCache(stateDir, fetch),
    store: fileAssignmentStore(stateDir),
    log,
    timings: { resyncMs: 60_000, healthRecheckMs: 50, waitRecheckMs: 100, retryBaseMs: 50, retryMaxMs: 500 },
    ...opts,
  });
  const sent: Outgoing[] = [];
  runner.link((m) => sent.push(m));
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= (async () => {
      await runner.stop();
      kube.close();
      if (!opts.stateDir) await rm(stateDir, { recursive: true, force: true });
    })());
  // Stopped however the test ends; a test may still close it earlier (a restart).
  onTestFinished(close);
  return {
    runner,
    kube,
    sent,
    stateDir,
    lastSent(app) {
      for (let i = sent.length - 1; i >= 0; i--) {
        const m = sent[i]!.msg;
        if (m?.case === "status") {
          const s = m.value.apps?.find((x) => x.app === app);
          if (s) return s as AppStatus;
        }
      }
      return undefined;
    },
    close,
  };
}

/** A kube-sim fault for the rest of the running test only, removed however the test ends. */
export function faultForTest(sim: KubeSim, spec: FaultRule): string {
  const id = sim.faults.add(spec);
  onTestFinished(() => sim.faults.remove(id));
  return id;
}

/** Polls with a deadline (see test/lib/processes.ts waitFor); argument order kept for these suites. */
export function eventually<T>(fn: () => T | Promise<T>, what: string, timeoutMs = 30_000): Promise<NonNullable<T>> {
  return waitFor(what, async () => (await fn()) || undefined, timeoutMs, 20) as Promise<NonNullable<T>>;
}

export const cm = (name: string, namespace: string, data: Record<string, string> = { a: "1" }): KubeObject => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace }, data });
export const ns = (name: string): KubeObject => ({ apiVersion: "v1", kind: "Namespace", metadata: { name } });
export const deployment = (name: string, namespace: string, image = "nginx:1", replicas = 2): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, namespace },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "main", image }] } },
  },
});
