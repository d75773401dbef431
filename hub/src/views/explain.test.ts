import { describe, expect, it } from "vitest";
import type { RolloutRecord } from "../rollout/model.js";
import { explainSelector } from "../targeting/explain.js";
import { blockers, type ExplainFacts } from "./explain.js";

const V1 = "1".repeat(40);
const V2 = "2".repeat(40);
const base: ExplainFacts = {
  app: "web", cluster: "eu-1", clusterState: "Connected", approved: true, matchedTarget: "prod",
  source: { name: "apps", fetched: true }, desired: V2, assigned: V1,
  stageNames: ["canary", "rest"], deps: [],
};
const rollout = (state: RolloutRecord["state"], stage = 0, reason = ""): RolloutRecord => ({ key: V2, from: V1, to: V2, state, stage, approvedStage: -1, reason, startedAt: 0 });

describe("explain", () => {
  it("says which labels satisfied a selector, or which are missing or different", () => {
    const eu = { name: "eu-1", labels: { env: "prod", region: "eu" } };
    expect(explainSelector({ clusterSelector: { matchLabels: { env: "prod" } } }, eu)).toEqual({ matched: true, reason: "env=prod" });
    expect(explainSelector({ clusterSelector: { matchLabels: { env: "staging", tier: "gold" } } }, eu)).toEqual({ matched: false, reason: 'env is "prod", want "staging"; no label tier (want tier=gold)' });
    expect(explainSelector({ clusterSelector: { matchExpressions: [{ key: "region", operator: "In", values: ["us", "ap"] }] } }, eu).reason).toBe('region is "eu", want one of us,ap');
    expect(explainSelector({ clusterSelector: { matchExpressions: [{ key: "env", operator: "DoesNotExist" }] } }, eu).reason).toBe('env is set ("prod"), want it absent');
    expect(explainSelector({ clusterNames: ["us-1"] }, eu)).toEqual({ matched: false, reason: "eu-1 is not in clusterNames (us-1)" });
    expect(explainSelector({ clusterGroup: "edge" }, eu).reason).toBe("no label gitfleet.dev/group (want gitfleet.dev/group=edge)");
  });

  it("gives one plain line per blocker", () => {
    const lines = (f: Partial<ExplainFacts>) => blockers({ ...base, ...f });
    expect(lines({ approved: false, clusterState: "Pending" })).toEqual(["cluster eu-1 is Pending approval: nothing is delivered to it until `gitfleet cluster approve eu-1`"]);
    expect(lines({ clusterState: "Disconnected", rollout: rollout("Completed"), record: { step: "Skipped", stage: 1, message: "disconnected: gets the revision when it is back" } }))
      .toEqual(["cluster eu-1 is Disconnected: it gets its assignments when its agent connects again", "skipped by the rollout: disconnected: gets the revision when it is back"]);
    expect(lines({ matchedTarget: undefined })).toEqual(["no target of app web selects cluster eu-1"]);
    expect(lines({ source: { name: "apps", fetched: false } })).toContain("source apps has not been fetched yet");
    expect(lines({ source: { name: "apps", fetched: true, error: "git fetch failed: connection refused\nmore" } })).toContain("source apps fails to fetch: git fetch failed: connection refused");
    expect(lines({ appError: { revision: V2, error: "target prod: web/x.yaml:3: bad" } })[0]).toBe(`revision ${V2.slice(0, 12)} does not render, clusters keep ${V2.slice(0, 12)}: target prod: web/x.yaml:3: bad`);
    expect(lines({ pinned: V1 })[0]).toBe(`app web is pinned to ${V1.slice(0, 12)}: newer commits wait for \`gitfleet app unpin web\``);
    expect(lines({ deps: [{ app: "db", health: "PROGRESSING" }, { app: "cache" }] })).toEqual(["dependsOn db is Progressing on eu-1, not Healthy", "dependsOn cache is not deployed on eu-1, not Healthy"]);
    const pending = { step: "Pending" as const, stage: 1, message: "" };
    expect(lines({ rollout: rollout("Paused"), record: pending })).toEqual(["the rollout of 222222222222 is Paused: `gitfleet rollout resume web`"]);
    expect(lines({ rollout: rollout("WaitingApproval", 1), record: pending })).toEqual(["the rollout waits for approval of stage rest (this cluster is in stage rest): `gitfleet rollout promote web`"]);
    expect(lines({ rollout: rollout("Progressing", 0), record: pending })).toEqual(["the rollout has not reached stage rest of this cluster yet (it is in stage canary)"]);
    expect(lines({ rollout: rollout("RolledBack", 0, "eu-2: Degraded"), record: pending })).toEqual(["the rollout of 222222222222 is RolledBack (eu-2: Degraded): this cluster stays on 111111111111 until a newer commit or `gitfleet rollout retry web`"]);
    expect(lines({ rollout: rollout("Progressing", 1), record: { ...pending, message: "waiting: 1 cluster(s) of stage rest may update at once" } })).toEqual(["waiting for its turn in the rollout: waiting: 1 cluster(s) of stage rest may update at once"]);
    expect(lines({ assigned: V2, rollout: rollout("Progressing", 1), record: { step: "Updating", stage: 1, message: "" }, status: { revision: V2, sync: "SYNCED", health: "PROGRESSING", message: "0/1 ready" } }))
      .toEqual(["updating to 222222222222: waiting for the agent to report it Healthy (now Progressing: 0/1 ready)"]);
    expect(lines({ assigned: V2, rollout: rollout("Completed", 1), record: { step: "Healthy", stage: 1, message: "" }, status: { revision: V2, sync: "SYNCED", health: "HEALTHY", message: "" } })).toEqual([]);
  });
});
