import { describe, expect, it } from "vitest";
import { ABSENT, diffObjects } from "./diff.js";
import { changedBy } from "./manager.js";

const dep = (replicas: number, containers: unknown[], extra: Record<string, unknown> = {}) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "ns", labels: { "app.kubernetes.io/managed-by": "gitfleet" }, resourceVersion: String(replicas), uid: "u", managedFields: [] },
  spec: { replicas, template: { spec: { containers } } },
  status: { replicas },
  ...extra,
});

describe("diffObjects", () => {
  it("ignores status and server-written metadata", () => {
    expect(diffObjects(dep(2, []), { ...dep(2, []), metadata: { ...dep(2, []).metadata, resourceVersion: "9", generation: 4 }, status: { x: 1 } })).toEqual([]);
  });

  it("reports changed and removed fields with paths, matching named list items by name", () => {
    const desired = dep(2, [{ name: "a", image: "a:1" }, { name: "b", image: "b:1" }]);
    const live = dep(5, [{ name: "b", image: "b:2" }, { name: "a", image: "a:1" }]);
    delete (live.metadata.labels as Record<string, string>)["app.kubernetes.io/managed-by"];
    const diffs = diffObjects(desired, live);
    expect(diffs.map((d) => [d.path, d.desired, d.live])).toEqual([
      ['metadata.labels["app.kubernetes.io/managed-by"]', "gitfleet", ABSENT],
      ["spec.replicas", "2", "5"],
      ["spec.template.spec.containers[name=b].image", "b:1", "b:2"],
    ]);
    expect(diffs[1]!.fieldKeys).toEqual(["f:spec", "f:replicas"]);
    expect(diffs[2]!.fieldKeys).toEqual(["f:spec", "f:template", "f:spec", "f:containers", 'k:{"name":"b"}', "f:image"]);
  });
});

describe("changedBy", () => {
  const live = (managedFields: unknown[]) => ({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "x", managedFields } });
  it("names the other manager owning the field, else the latest other writer", () => {
    const mf = [
      { manager: "gitfleet", operation: "Apply", time: "2026-01-01T00:00:03Z", fieldsV1: { "f:spec": { "f:replicas": {} } } },
      { manager: "kubectl", operation: "Update", subresource: "scale", time: "2026-01-01T00:00:01Z", fieldsV1: { "f:spec": { "f:replicas": {} } } },
      { manager: "editor", operation: "Update", time: "2026-01-01T00:00:02Z", fieldsV1: { "f:metadata": {} } },
      { manager: "kube-controller-manager", operation: "Update", subresource: "status", time: "2026-01-01T00:00:09Z", fieldsV1: { "f:status": {} } },
    ];
    expect(changedBy(live(mf), [["f:spec", "f:replicas"]])).toBe("kubectl");
    expect(changedBy(live(mf), [["f:metadata", "f:labels", "f:gone"]])).toBe("editor");
    expect(changedBy(live([]), [["f:spec"]])).toBe("");
  });
  it("orders by time whether client-node gave Dates or strings", () => {
    const mf = [
      { manager: "old", time: new Date("2026-01-01T00:00:01Z"), fieldsV1: {} },
      { manager: "new", time: "2026-01-01T00:00:05Z", fieldsV1: {} },
      { manager: "middle", time: new Date("2026-01-01T00:00:03Z"), fieldsV1: {} },
    ];
    expect(changedBy(live(mf), [["f:spec", "f:replicas"]])).toBe("new");
  });
});
