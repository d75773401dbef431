// Simulated controllers: workload readiness, Job completion, CRD establishment, default ServiceAccounts.
import type { Cluster } from "./cluster.js";
import { typesFromCrd, type ResourceType } from "./kinds.js";
import { selectorString } from "./selectors.js";
import type { StoreEvent } from "./store.js";
import { clone, hashOf, isObj, nowIso, type KObj } from "./util.js";

export interface SimOptions {
  readyDelayMs: number;
  failDelayMs: number;
  nodes: number;
  isBroken: (obj: KObj) => boolean;
}

export function imagesOf(obj: KObj): string[] {
  const spec = obj.kind === "Pod" ? obj.spec : obj.kind === "CronJob" ? obj.spec?.jobTemplate?.spec?.template?.spec : obj.spec?.template?.spec;
  return [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])].map((c: KObj) => String(c?.image ?? ""));
}

export const brokenByTag = (tag: string) => (obj: KObj): boolean =>
  imagesOf(obj).some((i) => !i.includes("@") && i.endsWith(`:${tag}`));

type Cond = { type: string; status: string; reason?: string; message?: string };

function conditions(prev: KObj[] | undefined, next: Cond[], withUpdate = true): KObj[] {
  const now = nowIso();
  return next.map((c) => {
    const old = prev?.find((p) => p.type === c.type);
    const same = old && old.status === c.status;
    const out: KObj = { type: c.type, status: c.status };
    if (withUpdate) out.lastUpdateTime = same && old.reason === c.reason ? old.lastUpdateTime ?? now : now;
    out.lastTransitionTime = same ? old.lastTransitionTime ?? now : now;
    if (c.reason) out.reason = c.reason;
    if (c.message) out.message = c.message;
    return out;
  });
}

const omitZero = (o: KObj): KObj => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== 0 && v !== undefined));

export class Controllers {
  constructor(private readonly c: Cluster, private readonly o: SimOptions) {
    c.store.subscribe((e) => this.onEvent(e));
    c.onCrdDeleted = (crd) => this.crdDeleted(crd);
  }

  private rt(group: string, plural: string, version = "v1"): ResourceType {
    return this.c.registry.byResource(group, version, plural)!;
  }

  private onEvent(e: StoreEvent): void {
    if (e.type === "DELETED") return;
    const o = e.object;
    const gen = o.metadata.generation;
    switch (`${e.key}`) {
      case "apps/deployments": case "apps/statefulsets": case "apps/daemonsets": case "apps/replicasets": case "/replicationcontrollers":
        if (o.status?.observedGeneration !== gen && !o.metadata.deletionTimestamp) this.rollout(e.key, o);
        break;
      case "batch/jobs":
        if (e.type === "ADDED" && !o.spec?.suspend) this.job(o);
        break;
      case "/pods":
        if (e.type === "ADDED") this.pod(o);
        break;
      case "/persistentvolumeclaims":
        if (e.type === "ADDED") this.pvc(o);
        break;
      case "/persistentvolumes":
        if (e.type === "ADDED") this.c.scheduler.after(0, () => this.c.putStatus(this.rt("", "persistentvolumes"), o, { phase: "Available" }));
        break;
      case "/namespaces":
        if (e.type === "ADDED") this.c.scheduler.after(0, () => this.defaultServiceAccount(o.metadata.name));
        break;
      case "apiextensions.k8s.io/customresourcedefinitions":
        this.crd(o);
        break;
    }
  }

  private defaultServiceAccount(ns: string): void {
    const sa = this.rt("", "serviceaccounts");
    if (this.c.store.get(sa, ns, "default")) return;
    try { this.c.create(sa, ns, { metadata: { name: "default" } }, { manager: "kube-controller-manager" }); } catch { /* namespace gone */ }
  }

  private rollout(key: string, o: KObj): void {
    const rt = this.rt(key.split("/")[0]!, key.split("/")[1]!);
    const broken = this.o.isBroken(o);
    const gen = o.metadata.generation;
    this.c.scheduler.after(0, () => this.workloadStatus(rt, o.metadata.uid, o.metadata.namespace, o.metadata.name, gen, "progressing"));
    this.c.scheduler.after(broken ? this.o.failDelayMs : this.o.readyDelayMs,
      () => this.workloadStatus(rt, o.metadata.uid, o.metadata.namespace, o.metadata.name, gen, broken ? "failed" : "ready"));
  }

  private workloadStatus(rt: ResourceType, uid: string, ns: string, name: string, gen: number, phase: "progressing" | "ready" | "failed"): void {
    const o = this.c.store.get(rt, ns, name);
    if (!o || o.metadata.uid !== uid || o.metadata.generation !== gen) return;
    if (phase === "progressing" && o.status?.observedGeneration === gen) return;
    const prev = o.status ?? {};
    const ready = phase === "ready";
    const hash = hashOf(o.spec?.template ?? {});
    const rsName = `${name}-${hash.slice(0, 10)}`;
    let status: KObj;
    switch (rt.kind) {
      case "Deployment": {
        const r = o.spec?.replicas ?? 1;
        const avail = ready ? r : Math.min(prev.availableReplicas ?? 0, r);
        const isAvail = ready || r === 0 || avail >= r - Math.floor(r * 0.25);
        status = omitZero({
          observedGeneration: gen, replicas: r, updatedReplicas: r, readyReplicas: ready ? r : Math.min(prev.readyReplicas ?? 0, r),
          availableReplicas: avail, unavailableReplicas: r - avail,
        });
        status.conditions = conditions(prev.conditions, [
          isAvail
            ? { type: "Available", status: "True", reason: "MinimumReplicasAvailable", message: "Deployment has minimum availability." }
            : { type: "Available", status: "False", reason: "MinimumReplicasUnavailable", message: "Deployment does not have minimum availability." },
          phase === "failed"
            ? { type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded", message: `ReplicaSet "${rsName}" has timed out progressing.` }
            : ready || r === 0
              ? { type: "Progressing", status: "True", reason: "NewReplicaSetAvailable", message: `ReplicaSet "${rsName}" has successfully progressed.` }
              : { type: "Progressing", status: "True", reason: "ReplicaSetUpdated", message: `ReplicaSet "${rsName}" is progressing.` },
        ]);
        break;
      }
      case "StatefulSet": {
        const r = o.spec?.replicas ?? 1;
        const rev = `${name}-${hash.slice(0, 10)}`;
        const readyN = ready ? r : 0;
        status = omitZero({
          observedGeneration: gen, replicas: r, readyReplicas: readyN, currentReplicas: ready ? r : prev.currentReplicas ?? 0,
          updatedReplicas: readyN, availableReplicas: readyN,
        });
        status.currentRevision = ready ? rev : prev.currentRevision ?? rev;
        status.updateRevision = rev;
        status.collisionCount = 0;
        break;
      }
      case "DaemonSet": {
        const n = this.o.nodes;
        const readyN = ready ? n : 0;
        status = {
          observedGeneration: gen, currentNumberScheduled: n, desiredNumberScheduled: n, numberMisscheduled: 0, numberReady: readyN,
          ...omitZero({ updatedNumberScheduled: n, numberAvailable: readyN, numberUnavailable: n - readyN }),
        };
        break;
      }
      default: {
        const r = o.spec?.replicas ?? 1;
        const readyN = ready ? r : 0;
        status = { replicas: r, ...omitZero({ fullyLabeledReplicas: r, readyReplicas: readyN, availableReplicas: readyN }), observedGeneration: gen };
        if (isObj(o.spec?.selector) && rt.kind === "ReplicaSet") status.selector = selectorString(o.spec.selector);
      }
    }
    this.c.putStatus(rt, o, status);
  }

  private job(o: KObj): void {
    const rt = this.rt("batch", "jobs");
    const start = nowIso();
    const broken = this.o.isBroken(o);
    this.c.scheduler.after(0, () => {
      const cur = this.c.store.get(rt, o.metadata.namespace, o.metadata.name);
      if (cur?.status?.startTime) return;
      if (cur) this.c.putStatus(rt, cur, { startTime: start, active: cur.spec?.parallelism ?? 1, ready: 0, terminating: 0, uncountedTerminatedPods: {} });
    });
    this.c.scheduler.after(broken ? this.o.failDelayMs : this.o.readyDelayMs, () => {
      const cur = this.c.store.get(rt, o.metadata.namespace, o.metadata.name);
      if (!cur || cur.metadata.uid !== o.metadata.uid) return;
      const base = { startTime: start, ready: 0, terminating: 0, uncountedTerminatedPods: {} };
      if (broken) {
        const msg = "Job has reached the specified backoff limit";
        this.c.putStatus(rt, cur, { ...base, failed: (cur.spec?.backoffLimit ?? 6) + 1, conditions: conditions(undefined, [
          { type: "FailureTarget", status: "True", reason: "BackoffLimitExceeded", message: msg },
          { type: "Failed", status: "True", reason: "BackoffLimitExceeded", message: msg },
        ]).map(probe) });
      } else {
        const msg = "Reached expected number of succeeded pods";
        this.c.putStatus(rt, cur, { ...base, succeeded: cur.spec?.completions ?? 1, completionTime: nowIso(), conditions: conditions(undefined, [
          { type: "SuccessCriteriaMet", status: "True", reason: "CompletionsReached", message: msg },
          { type: "Complete", status: "True", reason: "CompletionsReached", message: msg },
        ]).map(probe) });
      }
    });
  }

  private pod(o: KObj): void {
    const rt = this.rt("", "pods");
    const broken = this.o.isBroken(o);
    const created = nowIso();
    const containers = (o.spec?.containers ?? []) as KObj[];
    this.c.scheduler.after(0, () => {
      const cur = this.c.store.get(rt, o.metadata.namespace, o.metadata.name);
      if (cur && !cur.status?.phase) this.c.putStatus(rt, cur, { phase: "Pending", qosClass: "BestEffort", conditions: conditions(undefined, [{ type: "PodScheduled", status: "True" }], false).map(probe) });
    });
    this.c.scheduler.after(this.o.readyDelayMs, () => {
      const cur = this.c.store.get(rt, o.metadata.namespace, o.metadata.name);
      if (!cur || cur.metadata.uid !== o.metadata.uid) return;
      const ok = broken ? "False" : "True";
      const cs = containers.map((c) => ({
        name: c.name, image: c.image, imageID: "", ready: !broken, restartCount: 0, started: !broken,
        state: broken ? { waiting: { reason: "ImagePullBackOff", message: `Back-off pulling image "${c.image}"` } } : { running: { startedAt: nowIso() } },
      }));
      this.c.putStatus(rt, cur, {
        phase: broken ? "Pending" : "Running", hostIP: "10.0.0.10", podIP: `10.244.0.${(hashOf(o.metadata.uid).charCodeAt(0) % 250) + 2}`,
        startTime: created, qosClass: "BestEffort", containerStatuses: cs,
        conditions: conditions(undefined, [
          { type: "PodReadyToStartContainers", status: "True" }, { type: "Initialized", status: "True" },
          { type: "Ready", status: ok, ...(broken ? { reason: "ContainersNotReady", message: `containers with unready status: [${containers.map((c) => c.name).join(" ")}]` } : {}) },
          { type: "ContainersReady", status: ok }, { type: "PodScheduled", status: "True" },
        ], false).map(probe),
      });
    });
  }

  private pvc(o: KObj): void {
    const rt = this.rt("", "persistentvolumeclaims");
    this.c.scheduler.after(0, () => {
      const cur = this.c.store.get(rt, o.metadata.namespace, o.metadata.name);
      if (cur && !cur.status?.phase) this.c.putStatus(rt, cur, { phase: "Pending" });
    });
    this.c.scheduler.after(this.o.readyDelayMs, () => {
      const cur = this.c.store.get(rt, o.metadata.namespace, o.metadata.name);
      if (!cur || cur.metadata.uid !== o.metadata.uid) return;
      this.c.putStatus(rt, cur, { phase: "Bound", accessModes: cur.spec?.accessModes ?? [], capacity: { storage: cur.spec?.resources?.requests?.storage ?? "1Gi" } });
    });
  }

  private crd(o: KObj): void {
    if (o.metadata.deletionTimestamp) return;
    const established = (o.status?.conditions ?? []).some((c: KObj) => c.type === "Established" && c.status === "True");
    const names = o.spec?.names ?? {};
    const sameNames = JSON.stringify(o.status?.acceptedNames ?? {}) === JSON.stringify(names);
    const rt = this.rt("apiextensions.k8s.io", "customresourcedefinitions");
    if (established && sameNames) {
      this.register(o);
      return;
    }
    this.c.scheduler.after(0, () => {
      const cur = this.c.store.get(rt, undefined, o.metadata.name);
      if (!cur || cur.metadata.uid !== o.metadata.uid) return;
      const storage = (cur.spec?.versions ?? []).find((v: KObj) => v.storage)?.name;
      const stored = new Set<string>([...(cur.status?.storedVersions ?? []), ...(storage ? [storage] : [])]);
      this.c.putStatus(rt, cur, {
        acceptedNames: clone(cur.spec?.names ?? {}),
        conditions: conditions(cur.status?.conditions, [
          { type: "NamesAccepted", status: "True", reason: "NoConflicts", message: "no conflicts found" },
          { type: "Established", status: "True", reason: "InitialNamesAccepted", message: "the initial names have been accepted" },
        ], false).map(probe),
        storedVersions: [...stored],
      });
    });
  }

  private register(crd: KObj): void {
    const next = typesFromCrd(crd);
    const cur = this.c.registry.all().filter((t) => t.crd === crd.metadata.name);
    if (JSON.stringify(cur) === JSON.stringify(next)) return;
    this.c.registry.removeCrd(crd.metadata.name);
    for (const t of next) this.c.registry.add(t);
  }

  /** after loading a snapshot: serve the kinds of every Established CRD */
  registerAll(): void {
    for (const crd of this.c.store.list(this.rt("apiextensions.k8s.io", "customresourcedefinitions"))) {
      if ((crd.status?.conditions ?? []).some((x: KObj) => x.type === "Established" && x.status === "True")) this.register(crd);
    }
  }

  private crdDeleted(crd: KObj): void {
    const types = this.c.registry.removeCrd(crd.metadata.name);
    const first = types[0] ?? typesFromCrd(crd)[0];
    if (!first) return;
    for (const obj of this.c.store.list(first)) this.c.store.remove(first, obj.metadata.namespace, obj.metadata.name);
  }

  bootstrap(): void {
    const nsRt = this.rt("", "namespaces");
    for (const ns of ["default", "kube-system", "kube-public", "kube-node-lease"]) {
      if (!this.c.store.get(nsRt, undefined, ns)) this.c.create(nsRt, undefined, { metadata: { name: ns } }, { manager: "kube-apiserver" });
    }
    const svc = this.rt("", "services");
    if (!this.c.store.get(svc, "default", "kubernetes")) {
      this.c.create(svc, "default", {
        metadata: { name: "kubernetes", labels: { component: "apiserver", provider: "kubernetes" } },
        spec: { clusterIP: "10.96.0.1", ports: [{ name: "https", port: 443, targetPort: 6443 }] },
      }, { manager: "kube-apiserver" });
    }
    const node = this.rt("", "nodes");
    for (let i = 0; i < this.o.nodes; i++) {
      const name = `kube-sim-node-${i + 1}`;
      if (this.c.store.get(node, undefined, name)) continue;
      this.c.create(node, undefined, {
        metadata: { name, labels: { "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64" } },
        spec: {},
        status: {
          conditions: [{ type: "Ready", status: "True", reason: "KubeletReady", message: "kubelet is posting ready status", lastHeartbeatTime: nowIso(), lastTransitionTime: nowIso() }],
          nodeInfo: { kubeletVersion: "v1.32.4", architecture: "amd64", operatingSystem: "linux", containerRuntimeVersion: "containerd://1.7.0" },
          capacity: { cpu: "4", memory: "16Gi", pods: "110" }, allocatable: { cpu: "4", memory: "16Gi", pods: "110" },
          addresses: [{ type: "InternalIP", address: `10.0.0.${10 + i}` }, { type: "Hostname", address: name }],
        },
      }, { manager: "kubelet" });
    }
  }
}

/** condition fields pods and jobs also carry */
function probe(c: KObj): KObj {
  return { ...c, lastProbeTime: null };
}
