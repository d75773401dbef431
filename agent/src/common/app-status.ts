import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampNow } from "@bufbuild/protobuf/wkt";
import { AppStatusSchema, type AppStatus, type HealthState, type ObjectResultSchema, type SyncState } from "@gitfleet/shared";

export type ObjectResultInit = MessageInitShape<typeof ObjectResultSchema>;

export type StatusFields = { sync: SyncState; health: HealthState; objects: ObjectResultInit[]; message: string };

/** The app and revision a status is about. */
export type StatusSubject = { app: string; revision: string; bundleDigest: string };

export function appStatus(a: StatusSubject, init: StatusFields): AppStatus {
  return create(AppStatusSchema, { app: a.app, revision: a.revision, bundleDigest: a.bundleDigest, observedAt: timestampNow(), ...init });
}

/** What a status consumer would notice changing; observedAt alone is not a change. */
export function statusFingerprint(s: AppStatus): string {
  return JSON.stringify([s.revision, s.bundleDigest, s.sync, s.health, s.message, s.objects.map((o) => [o.action, o.health, o.message])]);
}
