import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { TargetMatchSchema } from "@gitfleet/shared/proto";
import { explainLines } from "./explain-view.js";

const target = (name: string, matched: boolean, reason = "") => create(TargetMatchSchema, { target: name, matched, reason });

describe("explainLines", () => {
  it("says each target's verdict with its reason, then that the cluster runs the desired revision", () => {
    expect(explainLines({ targets: [target("prod", true, "env=prod"), target("staging", false, "env is prod, not staging")], blockers: [] })).toEqual([
      { text: "target prod: selects this cluster", reason: "env=prod" },
      { text: "target staging: does not select it", reason: "env is prod, not staging" },
      { text: "runs the desired revision" },
    ]);
  });

  it("says the App is not here when no target selects the cluster", () => {
    expect(explainLines({ targets: [target("prod", false)], blockers: [] })).toEqual([{ text: "target prod: does not select it" }, { text: "not here: no target selects this cluster" }]);
    expect(explainLines({ targets: [], blockers: [] })).toEqual([{ text: "not here: no target selects this cluster" }]);
  });

  it("lists what holds delivery back instead of claiming the desired revision runs", () => {
    expect(explainLines({ targets: [target("prod", true)], blockers: ["waiting for stage staging", "paused"] })).toEqual([
      { text: "target prod: selects this cluster" },
      { text: "waiting for stage staging", blocker: true },
      { text: "paused", blocker: true },
    ]);
  });
});
