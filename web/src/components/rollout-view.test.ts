import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { RolloutSchema, RolloutStageSchema } from "@gitfleet/shared/proto";
import { rolloutSummary, stageProgress } from "./rollout-view.js";

const stage = (...steps: string[]) => create(RolloutStageSchema, { name: "prod", clusters: steps.map((step, i) => ({ cluster: `c${i}`, step })) });

describe("stageProgress", () => {
  it("counts Healthy and Skipped clusters as done, and no other step", () => {
    expect(stageProgress(stage("Healthy", "Skipped", "Pending", "Updating", "Failed", "RolledBack"))).toEqual({ done: 2, total: 6, label: "prod: 2 of 6 clusters done" });
  });

  it("reads an empty stage as 0 of 0", () => {
    expect(stageProgress(stage())).toEqual({ done: 0, total: 0, label: "prod: 0 of 0 clusters done" });
  });
});

describe("rolloutSummary", () => {
  const A = "a".repeat(40);
  const B = "b".repeat(40);
  it("names both revisions, the stage under way and what it waits for", () => {
    expect(rolloutSummary(create(RolloutSchema, { fromRevision: A, toRevision: B, stage: "prod", waitingFor: "approval of stage prod" }))).toEqual({
      from: "aaaaaaa",
      to: "bbbbbbb",
      notes: ["stage prod", "waiting for approval of stage prod"],
    });
  });

  it("shows a first rollout as coming from nothing, and leaves out what is not set", () => {
    expect(rolloutSummary(create(RolloutSchema, { toRevision: B }))).toEqual({ from: "—", to: "bbbbbbb", notes: [] });
    expect(rolloutSummary(create(RolloutSchema, { fromRevision: A, toRevision: B, waitingFor: "bake of stage staging" })).notes).toEqual(["waiting for bake of stage staging"]);
  });
});
