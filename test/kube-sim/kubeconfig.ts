// Kubeconfig text for a simulated cluster (plain http, bearer token).
import { stringify } from "yaml";

export function kubeconfigYaml(o: { server: string; token: string; name: string; namespace?: string }): string {
  const context: Record<string, string> = { cluster: o.name, user: o.name };
  if (o.namespace) context.namespace = o.namespace;
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    // client-node refuses http:// unless insecure-skip-tls-verify is set; kubectl accepts it
    clusters: [{ name: o.name, cluster: { server: o.server, "insecure-skip-tls-verify": true } }],
    contexts: [{ name: o.name, context }],
    "current-context": o.name,
    preferences: {},
    users: [{ name: o.name, user: { token: o.token } }],
  });
}
