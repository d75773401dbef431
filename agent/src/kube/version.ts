import type { Logger } from "@gitfleet/shared";
import type { Kube } from "./client.js";

/** The cluster's Kubernetes version, or "" when the API server cannot be asked right now. */
export async function kubernetesVersion(kube: Kube, log: Logger): Promise<string> {
  try {
    return await kube.version();
  } catch (err) {
    log.warn({ err: (err as Error).message }, "cannot read the Kubernetes version");
    return "";
  }
}
