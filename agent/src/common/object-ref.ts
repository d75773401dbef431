import type { MessageInitShape } from "@bufbuild/protobuf";
import type { KubeObject, ObjectRefSchema } from "@gitfleet/shared";

// How the agent names objects: in messages and logs (describeObject), in statuses (refOf,
// objectRef), and as map keys shared by status, health and drift (refKey, keyOf).

export function describeObject(obj: { kind: string; metadata: { namespace?: string; name: string } }): string {
  return obj.metadata.namespace ? `${obj.kind}/${obj.metadata.namespace}/${obj.metadata.name}` : `${obj.kind}/${obj.metadata.name}`;
}

export function refOf(o: { apiVersion: string; kind: string; namespace?: string; name: string }): MessageInitShape<typeof ObjectRefSchema> {
  return { apiVersion: o.apiVersion, kind: o.kind, namespace: o.namespace ?? "", name: o.name };
}

export function objectRef(obj: KubeObject): MessageInitShape<typeof ObjectRefSchema> {
  return refOf({ ...obj, namespace: obj.metadata.namespace, name: obj.metadata.name });
}

/** Identity of an object in a status, independent of its apiVersion. */
export function refKey(r: { kind?: string; namespace?: string; name?: string } | undefined): string {
  return `${r?.kind}/${r?.namespace ?? ""}/${r?.name}`;
}

/** refKey of a manifest or live object. */
export function keyOf(o: KubeObject): string {
  return refKey({ kind: o.kind, ...o.metadata });
}
