import { apiGroup, type KubeObject } from "@gitfleet/shared";
import { CRD_ESTABLISH_TIMEOUT_MS, CRD_POLL_MS } from "../config/intervals.js";
import type { Kube } from "../kube/client.js";
import { WaitError } from "./outcome.js";

type CrdSpec = { group?: string; names?: { kind?: string } };

/** The CRD in this bundle that defines obj's kind, if any. */
export function definingCrd(objects: readonly KubeObject[], obj: KubeObject): KubeObject | undefined {
  return objects.find((c) => {
    if (c.kind !== "CustomResourceDefinition") return false;
    const spec = (c.spec ?? {}) as CrdSpec;
    return spec.group === apiGroup(obj.apiVersion) && spec.names?.kind === obj.kind;
  });
}

/** Polls until the CRD is Established and its kind is served; past the deadline it is an expected wait. */
export async function waitEstablished(kube: Kube, crd: KubeObject, obj: KubeObject, timeoutMs = CRD_ESTABLISH_TIMEOUT_MS): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const live = await kube.get({ apiVersion: crd.apiVersion, kind: crd.kind, name: crd.metadata.name });
    const conditions = ((live?.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions) ?? [];
    if (conditions.some((c) => c.type === "Established" && c.status === "True")) {
      kube.forgetKind(obj.apiVersion);
      const namespaced = await kube.namespaced(obj.apiVersion, obj.kind);
      if (namespaced !== undefined) return namespaced;
    }
    if (Date.now() > deadline) throw new WaitError(`CustomResourceDefinition ${crd.metadata.name} is not Established yet`);
    await new Promise((r) => setTimeout(r, CRD_POLL_MS));
  }
}
