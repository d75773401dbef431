import { describe, expect, it } from "vitest";
import { HealthState } from "@gitfleet/shared";
import { appHealth } from "./app-health.js";
import { hasHealthStatus, objectHealth } from "./object-health.js";

const obj = (apiVersion: string, kind: string, rest: Record<string, unknown> = {}, generation = 1) => ({
  apiVersion, kind, metadata: { name: "x", namespace: "ns", generation }, ...rest,
});

describe("objectHealth", () => {
  it("NotFound when the object is gone", () => {
    expect(objectHealth(undefined).status).toBe("NotFound");
  });

  it("Deployment: in progress until replicas are updated and available, failed past its deadline", () => {
    const dep = (status: Record<string, unknown>, generation = 1) => obj("apps/v1", "Deployment", { spec: { replicas: 2 }, status }, generation);
    expect(objectHealth(dep({})).status).toBe("InProgress");
    expect(objectHealth(dep({ observedGeneration: 1, updatedReplicas: 2, replicas: 2, availableReplicas: 1 })).status).toBe("InProgress");
    expect(objectHealth(dep({ observedGeneration: 1, updatedReplicas: 2, replicas: 2, availableReplicas: 2 })).status).toBe("Current");
    expect(objectHealth(dep({ observedGeneration: 1, updatedReplicas: 2, replicas: 2, availableReplicas: 2 }, 2)).status).toBe("InProgress");
    const stuck = dep({ observedGeneration: 1, conditions: [{ type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded", message: "exceeded" }] });
    expect(objectHealth(stuck)).toEqual({ status: "Failed", message: "exceeded" });
  });

  it("StatefulSet and DaemonSet wait for ready pods and the current revision", () => {
    expect(objectHealth(obj("apps/v1", "StatefulSet", { spec: { replicas: 1 }, status: { observedGeneration: 1, readyReplicas: 1, currentRevision: "a", updateRevision: "b" } })).status).toBe("InProgress");
    expect(objectHealth(obj("apps/v1", "StatefulSet", { spec: { replicas: 1 }, status: { observedGeneration: 1, readyReplicas: 1, currentRevision: "b", updateRevision: "b" } })).status).toBe("Current");
    expect(objectHealth(obj("apps/v1", "DaemonSet", { status: { observedGeneration: 1, desiredNumberScheduled: 2, updatedNumberScheduled: 2, numberAvailable: 1 } })).status).toBe("InProgress");
    expect(objectHealth(obj("apps/v1", "DaemonSet", { status: { observedGeneration: 1, desiredNumberScheduled: 2, updatedNumberScheduled: 2, numberAvailable: 2 } })).status).toBe("Current");
  });

  it("Job, PVC, CRD and Ready conditions", () => {
    expect(objectHealth(obj("batch/v1", "Job", { status: {} })).status).toBe("InProgress");
    expect(objectHealth(obj("batch/v1", "Job", { status: { conditions: [{ type: "Complete", status: "True" }] } })).status).toBe("Current");
    expect(objectHealth(obj("batch/v1", "Job", { status: { conditions: [{ type: "Failed", status: "True", reason: "BackoffLimitExceeded" }] } })).status).toBe("Failed");
    expect(objectHealth(obj("v1", "PersistentVolumeClaim", { status: { phase: "Pending" } })).status).toBe("InProgress");
    expect(objectHealth(obj("v1", "PersistentVolumeClaim", { status: { phase: "Bound" } })).status).toBe("Current");
    expect(objectHealth(obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", { status: { conditions: [{ type: "Established", status: "True" }] } })).status).toBe("Current");
    expect(objectHealth(obj("example.com/v1", "Widget", { status: { conditions: [{ type: "Ready", status: "False", message: "warming" }] } })).status).toBe("InProgress");
    expect(objectHealth(obj("example.com/v1", "Widget", { status: { conditions: [{ type: "Stalled", status: "True", message: "bad" }] } })).status).toBe("Failed");
    expect(objectHealth(obj("v1", "ConfigMap")).status).toBe("Current");
  });
});

describe("appHealth", () => {
  it("the worst object decides", () => {
    expect(appHealth([])).toBe(HealthState.HEALTHY);
    expect(appHealth(["Current", "InProgress"])).toBe(HealthState.PROGRESSING);
    expect(appHealth(["InProgress", "Failed"])).toBe(HealthState.DEGRADED);
    expect(appHealth(["Failed", "NotFound"])).toBe(HealthState.MISSING);
  });
});

describe("hasHealthStatus", () => {
  const obj = (apiVersion: string, kind: string, status?: unknown) => ({ apiVersion, kind, metadata: { name: "x" }, ...(status ? { status } : {}) });
  it("reads workloads and custom resources fresh, static kinds only when they carry conditions", () => {
    expect(hasHealthStatus(obj("apps/v1", "Deployment"))).toBe(true);
    expect(hasHealthStatus(obj("example.com/v1", "Widget"))).toBe(true);
    expect(hasHealthStatus(obj("v1", "ConfigMap"))).toBe(false);
    expect(hasHealthStatus(obj("rbac.authorization.k8s.io/v1", "Role"))).toBe(false);
    expect(hasHealthStatus(obj("v1", "Service", { conditions: [{ type: "Ready", status: "False" }] }))).toBe(true);
  });
});
