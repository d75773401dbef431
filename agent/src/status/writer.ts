import type { AppStatus } from "@gitfleet/shared";
import type { Finding, Findings } from "../common/findings.js";
import { statusFingerprint } from "../common/app-status.js";
import type { Outgoing } from "../connection/agent-link.js";
import { combine, type AppFindings } from "./combine.js";

/** The one place AppStatus reports are made and sent to the hub. */
export interface StatusWriter extends Findings {
  /** The stream to the hub came up (every status is sent again) or went down. */
  link(send: ((msg: Outgoing) => void) | undefined): void;
  status(app: string): AppStatus | undefined;
  statuses(): AppStatus[];
}

/** Called with every new status of an app (before: the previous one), sent or not. */
export type StatusObserver = (before: AppStatus | undefined, after: AppStatus) => void;

export function createStatusWriter(onChange: StatusObserver = () => {}): StatusWriter {
  const apps = new Map<string, { findings: AppFindings; current: AppStatus }>();
  let send: ((msg: Outgoing) => void) | undefined;

  const sendNow = (statuses: AppStatus[]) => {
    if (send && statuses.length) send({ msg: { case: "status", value: { apps: statuses } } });
  };

  /** A reconcile's status always goes out; health only when something a reader sees changed; drift whenever it changes. */
  function update(app: string, findings: AppFindings, always: boolean): void {
    const before = apps.get(app)?.current;
    const current = combine(findings);
    apps.set(app, { findings, current });
    if (always || !before || statusFingerprint(current) !== statusFingerprint(before)) sendNow([current]);
    onChange(before, current);
  }

  function report(f: Finding): void {
    if (f.kind === "removed") return void apps.delete(f.app);
    if (f.kind === "reconciled") return update(f.app, { reconciled: f.status }, true);
    const known = apps.get(f.app)?.findings;
    // Health and drift are about what a reconcile applied: nothing to say before the first one.
    if (!known) return;
    if (f.kind === "health") return update(f.app, { ...known, health: { health: f.health, objects: f.objects } }, false);
    if (known.drift === f.message) return;
    update(f.app, { ...known, drift: f.message, driftResolved: !f.message && (known.driftResolved || Boolean(known.drift)) }, true);
  }

  return {
    report,
    link(s) {
      send = s;
      sendNow([...apps.values()].map((a) => a.current));
    },
    status: (app) => apps.get(app)?.current,
    statuses: () => [...apps.values()].map((a) => a.current),
  };
}
