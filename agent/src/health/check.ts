import type { KubeObject } from "@gitfleet/shared";
import { idOf, readLive, type Kube } from "../kube/client.js";
import { objectHealth, type ObjectHealth } from "./object-health.js";

/**
 * Rates each object as the cluster has it (from the watch cache); a missing object is NotFound.
 * `known` holds live copies just returned by the API server (by index), which need not be read again.
 */
export async function checkHealth(kube: Kube, objects: readonly KubeObject[], known: readonly (KubeObject | undefined)[] = []): Promise<ObjectHealth[]> {
  return Promise.all(objects.map(async (o, i) => objectHealth(known[i] ?? (await readLive(kube, idOf(o))))));
}
