import { describe, expect, it } from "vitest";
import { keepLiveValue, parsePath } from "./field-path.js";

describe("field paths", () => {
  it("parses what diffObjects writes", () => {
    expect(parsePath('metadata.labels["a.b/c"]')).toEqual([{ key: "metadata" }, { key: "labels" }, { key: "a.b/c" }]);
    expect(parsePath("spec.containers[name=main].args[1]")).toEqual([{ key: "spec" }, { key: "containers" }, { name: "main" }, { key: "args" }, { index: 1 }]);
    expect(parsePath("spec..x")).toBeUndefined();
  });

  it("keepLiveValue copies the live value into what will be applied, or drops it", () => {
    const desired = { spec: { replicas: 2, template: { spec: { containers: [{ name: "main", image: "a:1" }] } } } };
    const live = { spec: { replicas: 5, template: { spec: { containers: [{ name: "main", image: "a:2" }] } } } };
    keepLiveValue(desired, live, "spec.replicas");
    keepLiveValue(desired, live, "spec.template.spec.containers[name=main].image");
    keepLiveValue(desired, live, "spec.paused");
    keepLiveValue(desired, live, "status.x");
    expect(desired).toEqual(live);
    keepLiveValue(desired, { spec: {} }, "spec.replicas");
    expect(desired.spec).not.toHaveProperty("replicas");
  });
});
