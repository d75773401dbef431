import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { RolloutStageSchema } from "@gitfleet/shared/proto";
import { stageProgress } from "./rollout-view.js";

const stage = (...steps: string[]) => create(RolloutStageSchema, { name: "prod", clusters: steps.map((step, i) => ({ cluster: `c${i}`, step })) });

describe("stageProgress", () => {
  it("counts Healthy and Skipped clusters as done, and no other step", () => {
    expect(stageProgress(stage("Healthy", "Skipped", "Pending", "Updating", "Failed", "RolledBack"))).toEqual({ done: 2, total: 6, label: "prod: 2 of 6 clusters done" });
  });

  it("reads an empty stage as 0 of 0", () => {
    expect(stageProgress(stage())).toEqual({ done: 0, total: 0, label: "prod: 0 of 0 clusters done" });
  });
});
