import { stringify } from "yaml";
import type { AgentInstall } from "./agent-manifest.js";

/** Splits IMAGE into the chart's repository, tag and digest (a registry port is not a tag). */
export function splitImage(image: string): { repository: string; tag?: string; digest?: string } {
  const at = image.indexOf("@");
  if (at >= 0) return { repository: image.slice(0, at), digest: image.slice(at + 1) };
  const colon = image.lastIndexOf(":");
  return colon > image.lastIndexOf("/") ? { repository: image.slice(0, colon), tag: image.slice(colon + 1) } : { repository: image };
}

/** Values for deploy/charts/gitfleet-agent: the same install as agentManifest(), for `helm install -f`. */
export function agentHelmValues(spec: AgentInstall): string {
  const values = {
    image: splitImage(spec.image),
    hub: { address: spec.hub },
    cluster: { name: spec.name, labels: spec.labels },
    bootstrapToken: { value: spec.token },
    rbac: { namespaces: spec.namespaces },
  };
  return (
    `# gitfleet-agent chart values for cluster ${spec.name}. Holds a one-use bootstrap token: keep it secret.\n` +
    `# helm install gitfleet-agent deploy/charts/gitfleet-agent -n gitfleet-system --create-namespace -f ${spec.name}.yaml\n` +
    stringify(values)
  );
}
