import type { KubeObject } from "@gitfleet/shared";
import { idOf, type Kube } from "../kube/client.js";
import { objectHealth, type ObjectHealth } from "./object-health.js";

/** Reads each object back from the cluster and rates it; a missing object is NotFound. */
export async function checkHealth(kube: Kube, objects: readonly KubeObject[]): Promise<ObjectHealth[]> {
  return Promise.all(objects.map(async (o) => objectHealth(await kube.get(idOf(o)))));
}
