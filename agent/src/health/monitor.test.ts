import { describe, expect, it } from "vitest";
import { HealthState, type KubeObject } from "@gitfleet/shared";
import type { Finding } from "../common/findings.js";
import type { Kube, ObjectId } from "../kube/client.js";
import { createHealthMonitor, rateApp } from "./monitor.js";

const cm: KubeObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "ns" } };
const dep = (available: number): KubeObject => ({
  apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "ns", generation: 1 },
  spec: { replicas: 1 }, status: { observedGeneration: 1, updatedReplicas: 1, replicas: 1, availableReplicas: available },
});

/** A cluster whose watch cache answers reads from a map and counts them (a GET is never needed). */
function fakeKube(live: Map<string, KubeObject>) {
  const reads: string[] = [];
  const get = async (id: ObjectId) => (reads.push(id.name), live.get(id.name));
  const kube = { cache: { get }, get: async (id: ObjectId) => (reads.push(`GET ${id.name}`), undefined) } as unknown as Kube;
  return { kube, reads };
}

describe("rateApp", () => {
  it("reads only objects whose health lives in their status; the worst object decides", async () => {
    const { kube, reads } = fakeKube(new Map([["web", dep(0)]]));
    const r = await rateApp(kube, [cm, dep(1)]);
    expect(reads).toEqual(["web"]);
    expect(r.health).toBe(HealthState.PROGRESSING);
    expect([...r.objects]).toEqual([["ConfigMap/ns/c", "Current"], ["Deployment/ns/web", "InProgress"]]);
  });
});

describe("createHealthMonitor", () => {
  it("reports tracked apps only, and coalesces watch events into one refresh in the app's lane", async () => {
    const live = new Map([["web", dep(1)]]);
    const { kube, reads } = fakeKube(live);
    const found: Finding[] = [];
    const lane: (() => Promise<void>)[] = [];
    const m = createHealthMonitor({ kube, log: { debug() {} } as never, findings: { report: (f) => void found.push(f) }, lane: (_app, fn) => void lane.push(fn), busy: () => false });
    await m.check("web");
    m.touched("web");
    expect(found).toEqual([]);
    m.track("web", [dep(1)]);
    m.touched("web");
    m.touched("web");
    expect(lane).toHaveLength(1);
    await lane.shift()!();
    expect(found).toMatchObject([{ kind: "health", app: "web", health: HealthState.HEALTHY }]);
    m.untrack("web");
    await m.check("web");
    expect(found).toHaveLength(1);
    expect(reads).toEqual(["web"]);
  });
});
