import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampNow } from "@bufbuild/protobuf/wkt";
import { AppStatusSchema, type AppStatus, type Assignment, type HealthState, type KubeObject, type ObjectRefSchema, type ObjectResultSchema, type SyncState } from "@gitfleet/shared";

export function describeObject(obj: { kind: string; metadata: { namespace?: string; name: string } }): string {
  return obj.metadata.namespace ? `${obj.kind}/${obj.metadata.namespace}/${obj.metadata.name}` : `${obj.kind}/${obj.metadata.name}`;
}

export type ObjectResultInit = MessageInitShape<typeof ObjectResultSchema>;

export function refOf(o: { apiVersion: string; kind: string; namespace?: string; name: string }): MessageInitShape<typeof ObjectRefSchema> {
  return { apiVersion: o.apiVersion, kind: o.kind, namespace: o.namespace ?? "", name: o.name };
}

export function objectRef(obj: KubeObject): MessageInitShape<typeof ObjectRefSchema> {
  return refOf({ ...obj, namespace: obj.metadata.namespace, name: obj.metadata.name });
}

export type StatusFields = { sync: SyncState; health: HealthState; objects: ObjectResultInit[]; message: string };

export function appStatus(a: Assignment, init: StatusFields): AppStatus {
  return create(AppStatusSchema, { app: a.app, revision: a.revision, bundleDigest: a.bundleDigest, observedAt: timestampNow(), ...init });
}

/** What a status consumer would notice changing; observedAt alone is not a change. */
export function statusFingerprint(s: AppStatus): string {
  return JSON.stringify([s.revision, s.bundleDigest, s.sync, s.health, s.message, s.objects.map((o) => [o.action, o.health, o.message])]);
}

/** Identity of an object in a status, independent of its apiVersion. */
export function refKey(r: { kind?: string; namespace?: string; name?: string } | undefined): string {
  return `${r?.kind}/${r?.namespace ?? ""}/${r?.name}`;
}
