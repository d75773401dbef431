// Kubeconfig text for a simulated cluster: https with its CA, or plain http (bearer token).
import { stringify } from "yaml";

export function kubeconfigYaml(o: { server: string; ca?: string; token: string; name: string; namespace?: string }): string {
  const context: Record<string, string> = { cluster: o.name, user: o.name };
  if (o.namespace) context.namespace = o.namespace;
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    // over plain http client-node wants insecure-skip-tls-verify (kubectl ignores it)
    clusters: [{ name: o.name, cluster: o.ca
      ? { server: o.server, "certificate-authority-data": Buffer.from(o.ca).toString("base64") }
      : { server: o.server, "insecure-skip-tls-verify": true } }],
    contexts: [{ name: o.name, context }],
    "current-context": o.name,
    preferences: {},
    users: [{ name: o.name, user: { token: o.token } }],
  });
}
