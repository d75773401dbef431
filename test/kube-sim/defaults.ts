// Defaulting as the real API server does it for the fields clients commonly read back.
import { isObj, type KObj } from "./util.js";

function podSpec(spec: KObj | undefined): void {
  if (!isObj(spec)) return;
  spec.restartPolicy ??= "Always";
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= "ClusterFirst";
  spec.securityContext ??= {};
  spec.schedulerName ??= "default-scheduler";
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])] as KObj[]) {
    if (!isObj(c)) continue;
    const image = String(c.image ?? "");
    const tag = image.includes("@") ? "digest" : /:[^/]+$/.exec(image)?.[0].slice(1);
    c.imagePullPolicy ??= !tag || tag === "latest" ? "Always" : "IfNotPresent";
    c.terminationMessagePath ??= "/dev/termination-log";
    c.terminationMessagePolicy ??= "File";
    c.resources ??= {};
    for (const p of (c.ports ?? []) as KObj[]) if (isObj(p)) p.protocol ??= "TCP";
    for (const e of (c.env ?? []) as KObj[]) if (isObj(e?.valueFrom?.fieldRef)) e.valueFrom.fieldRef.apiVersion ??= "v1";
    for (const p of [c.livenessProbe, c.readinessProbe, c.startupProbe]) probe(p);
  }
  for (const v of (spec.volumes ?? []) as KObj[]) if (isObj(v)) volume(v);
}

const VOLUME_SOURCES = ["hostPath", "emptyDir", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "secret", "nfs", "iscsi",
  "glusterfs", "persistentVolumeClaim", "rbd", "flexVolume", "cinder", "cephfs", "flocker", "downwardAPI", "fc", "azureFile",
  "configMap", "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk", "projected", "portworxVolume", "scaleIO",
  "storageos", "csi", "ephemeral", "image"];

/** SetDefaults_Volume: a volume without a source is an emptyDir; file modes default to 0644 */
function volume(v: KObj): void {
  if (!VOLUME_SOURCES.some((k) => v[k] !== undefined && v[k] !== null)) v.emptyDir = {};
  for (const k of ["configMap", "secret", "downwardAPI", "projected"]) if (isObj(v[k])) v[k].defaultMode ??= 420;
}

function probe(p: unknown): void {
  if (!isObj(p)) return;
  p.timeoutSeconds ??= 1;
  p.periodSeconds ??= 10;
  p.successThreshold ??= 1;
  p.failureThreshold ??= 3;
  if (isObj(p.httpGet)) p.httpGet.scheme ??= "HTTP";
}

function template(t: KObj | undefined): void {
  if (!isObj(t)) return;
  t.metadata ??= {};
  podSpec(t.spec);
}

export function applyDefaults(kind: string, obj: KObj): void {
  const spec = obj.spec;
  switch (kind) {
    case "Pod":
      podSpec(spec);
      if (isObj(spec)) { spec.enableServiceLinks ??= true; spec.preemptionPolicy ??= "PreemptLowerPriority"; spec.priority ??= 0; }
      break;
    case "Deployment":
      if (!isObj(spec)) break;
      spec.replicas ??= 1;
      spec.revisionHistoryLimit ??= 10;
      spec.progressDeadlineSeconds ??= 600;
      spec.strategy ??= { type: "RollingUpdate" };
      if (spec.strategy.type === "RollingUpdate" || spec.strategy.type === undefined) {
        spec.strategy.type = "RollingUpdate";
        spec.strategy.rollingUpdate ??= {};
        spec.strategy.rollingUpdate.maxSurge ??= "25%";
        spec.strategy.rollingUpdate.maxUnavailable ??= "25%";
      }
      template(spec.template);
      break;
    case "StatefulSet":
      if (!isObj(spec)) break;
      spec.replicas ??= 1;
      spec.podManagementPolicy ??= "OrderedReady";
      spec.revisionHistoryLimit ??= 10;
      spec.updateStrategy ??= { type: "RollingUpdate", rollingUpdate: { partition: 0 } };
      spec.persistentVolumeClaimRetentionPolicy ??= { whenDeleted: "Retain", whenScaled: "Retain" };
      template(spec.template);
      break;
    case "DaemonSet":
      if (!isObj(spec)) break;
      spec.revisionHistoryLimit ??= 10;
      spec.updateStrategy ??= { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } };
      template(spec.template);
      break;
    case "ReplicaSet":
      if (!isObj(spec)) break;
      spec.replicas ??= 1;
      template(spec.template);
      break;
    case "ReplicationController": {
      if (!isObj(spec)) break;
      spec.replicas ??= 1;
      spec.minReadySeconds ??= 0;
      template(spec.template);
      const labels = spec.template?.metadata?.labels;
      if (isObj(labels)) spec.selector ??= { ...labels };
      if (isObj(labels)) obj.metadata.labels ??= { ...labels };
      break;
    }
    case "PersistentVolume":
      if (!isObj(spec)) break;
      spec.persistentVolumeReclaimPolicy ??= "Retain";
      spec.volumeMode ??= "Filesystem";
      break;
    case "Job":
      if (!isObj(spec)) break;
      spec.parallelism ??= 1;
      spec.completions ??= 1;
      spec.backoffLimit ??= 6;
      spec.completionMode ??= "NonIndexed";
      spec.suspend ??= false;
      if (isObj(spec.template)) {
        template(spec.template);
        if (isObj(spec.template.spec)) spec.template.spec.restartPolicy ??= "Never";
      }
      break;
    case "CronJob":
      if (!isObj(spec)) break;
      spec.concurrencyPolicy ??= "Allow";
      spec.suspend ??= false;
      spec.successfulJobsHistoryLimit ??= 3;
      spec.failedJobsHistoryLimit ??= 1;
      template(spec.jobTemplate?.spec?.template);
      break;
    case "Service":
      if (!isObj(spec)) break;
      spec.type ??= "ClusterIP";
      spec.sessionAffinity ??= "None";
      spec.ipFamilies ??= ["IPv4"];
      spec.ipFamilyPolicy ??= "SingleStack";
      spec.internalTrafficPolicy ??= "Cluster";
      if (spec.type === "NodePort" || spec.type === "LoadBalancer") spec.externalTrafficPolicy ??= "Cluster";
      if (spec.type === "LoadBalancer") spec.allocateLoadBalancerNodePorts ??= true;
      for (const p of (spec.ports ?? []) as KObj[]) {
        if (!isObj(p)) continue;
        p.protocol ??= "TCP";
        p.targetPort ??= p.port;
      }
      break;
    case "Secret":
      obj.type ??= "Opaque";
      if (isObj(obj.stringData)) {
        obj.data ??= {};
        for (const [k, v] of Object.entries(obj.stringData)) obj.data[k] = Buffer.from(String(v)).toString("base64");
        delete obj.stringData;
      }
      break;
    case "Namespace":
      obj.spec ??= { finalizers: ["kubernetes"] };
      obj.metadata.labels = { ...(obj.metadata.labels ?? {}), "kubernetes.io/metadata.name": obj.metadata.name };
      break;
    case "PersistentVolumeClaim":
      if (isObj(spec)) spec.volumeMode ??= "Filesystem";
      break;
    case "CustomResourceDefinition":
      if (isObj(spec)) {
        spec.names ??= {};
        spec.names.singular ??= String(spec.names.kind ?? "").toLowerCase();
        spec.names.listKind ??= `${spec.names.kind}List`;
        spec.conversion ??= { strategy: "None" };
      }
      break;
  }
}
