import { VersionApi, type KubeConfig } from "@kubernetes/client-node";
import type { Logger } from "@gitfleet/shared";

/** The cluster's Kubernetes version, or "" when the API server cannot be asked right now. */
export async function kubernetesVersion(kc: KubeConfig, log: Logger): Promise<string> {
  try {
    const info = await kc.makeApiClient(VersionApi).getCode();
    return info.gitVersion;
  } catch (err) {
    log.warn({ err: (err as Error).message }, "cannot read the Kubernetes version");
    return "";
  }
}
