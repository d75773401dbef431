import type { NotifyEvent } from "../definitions/index.js";

/** What happened, as every Notifier receives it. */
export interface Notice {
  event: NotifyEvent;
  app: string;
  cluster?: string;
  fromRevision?: string;
  toRevision?: string;
  stage?: string;
  reason?: string;
}

/** The JSON body: the notice, when, and a Slack-compatible `text`. */
export function payload(n: Notice, at: Date): string {
  return JSON.stringify({ ...n, at: at.toISOString(), text: text(n) });
}

const short = (sha?: string) => (sha ? sha.slice(0, 10) : "-");

function text(n: Notice): string {
  const rev = `${short(n.fromRevision)} → ${short(n.toRevision)}`;
  switch (n.event) {
    case "rollout.started": return `gitfleet: rollout of ${n.app} started (${rev})`;
    case "rollout.stage-passed": return `gitfleet: ${n.app} passed stage ${n.stage} (${rev})`;
    case "rollout.waiting-approval": return `gitfleet: ${n.app} waits for approval of stage ${n.stage} (${rev})`;
    case "rollout.halted": return `gitfleet: rollout of ${n.app} HALTED in stage ${n.stage} (${rev}): ${n.reason}`;
    case "rollout.rolled-back": return `gitfleet: rollout of ${n.app} ROLLED BACK in stage ${n.stage} (${rev}): ${n.reason}`;
    case "rollout.completed": return `gitfleet: rollout of ${n.app} completed (${rev})`;
    case "drift.detected": return `gitfleet: drift in ${n.app} on ${n.cluster}: ${n.reason}`;
    case "app.degraded": return `gitfleet: ${n.app} is Degraded on ${n.cluster}${n.reason ? `: ${n.reason}` : ""}`;
  }
}
