// Where the API server is and how to authenticate to it. The common kubeconfigs (a token or a client
// certificate, in a file or in the pod's service account) are read here; the rest (exec plugins,
// auth providers, proxies) by client-node's KubeConfig, imported only then: importing client-node
// costs a fresh agent process about half a second of CPU.
import { existsSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import type https from "node:https";
import { isIPv6 } from "node:net";
import { dirname, isAbsolute, join } from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import { parse as parseYaml } from "yaml";

export interface ClusterAccess {
  /** The API server's URL, without a trailing slash. */
  server: string;
  defaultNamespace: string;
  /** TLS material and credentials for a request; read afresh on each call, so rotated tokens are seen. */
  requestOptions(): Promise<https.RequestOptions>;
  /** The kubeconfig names a proxy: requests go through the agent in requestOptions(), not a shared pool. */
  proxied: boolean;
}

const SERVICE_ACCOUNT = "/var/run/secrets/kubernetes.io/serviceaccount";

/** Running in a pod with a service account token: the service account is used when no kubeconfig is given. */
export function inCluster(): boolean {
  return Boolean(process.env.KUBERNETES_SERVICE_HOST) && existsSync(`${SERVICE_ACCOUNT}/token`);
}

/** A kubeconfig file, or the pod's service account when none is given. */
export async function loadClusterAccess(file?: string): Promise<ClusterAccess> {
  if (!file) return serviceAccountAccess();
  const simple = simpleKubeconfig(readFileSync(file, "utf8"), dirname(file));
  if (simple) return simple;
  const { KubeConfig } = await import("@kubernetes/client-node");
  const kc = new KubeConfig();
  kc.loadFromFile(file);
  return fromKubeConfig(kc);
}

/** A KubeConfig loaded by client-node (tests, and the kubeconfigs simpleKubeconfig leaves to it). */
export function fromKubeConfig(kc: KubeConfig): ClusterAccess {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error("the kubeconfig has no current cluster");
  return {
    server: cluster.server.replace(/\/+$/, ""),
    defaultNamespace: kc.getContextObject(kc.getCurrentContext())?.namespace || "default",
    async requestOptions() {
      const opts: https.RequestOptions = {};
      await kc.applyToHTTPSOptions(opts);
      return opts;
    },
    proxied: Boolean(cluster.proxyUrl),
  };
}

function serviceAccountAccess(): ClusterAccess {
  const host = process.env.KUBERNETES_SERVICE_HOST ?? "";
  const port = process.env.KUBERNETES_SERVICE_PORT ?? "443";
  const scheme = ["80", "8080", "8001"].includes(port) ? "http" : "https";
  const ca = readFileSync(`${SERVICE_ACCOUNT}/ca.crt`);
  const namespace = existsSync(`${SERVICE_ACCOUNT}/namespace`) ? readFileSync(`${SERVICE_ACCOUNT}/namespace`, "utf8").trim() : "";
  return {
    server: `${scheme}://${isIPv6(host) ? `[${host}]` : host}:${port}`,
    defaultNamespace: namespace || "default",
    // The kubelet rotates the projected token: read it for every request batch.
    requestOptions: async () => ({ ca, headers: { Authorization: `Bearer ${(await readFile(`${SERVICE_ACCOUNT}/token`, "utf8")).trim()}` } }),
    proxied: false,
  };
}

type Named<T> = { name: string } & T;
interface KubeconfigFile {
  "current-context"?: string;
  contexts?: Named<{ context?: { cluster?: string; user?: string; namespace?: string } }>[];
  clusters?: Named<{ cluster?: Record<string, unknown> }>[];
  users?: Named<{ user?: Record<string, unknown> }>[];
}

const CLUSTER_KEYS = new Set(["server", "certificate-authority", "certificate-authority-data", "insecure-skip-tls-verify", "tls-server-name", "extensions"]);
const USER_KEYS = new Set(["token", "tokenFile", "client-certificate", "client-certificate-data", "client-key", "client-key-data", "username", "password", "extensions"]);

/**
 * A kubeconfig's text (relative paths in it are relative to dir), or undefined when it uses anything
 * beyond tokens, certificates and basic auth: loadClusterAccess leaves those to client-node.
 */
export function simpleKubeconfig(text: string, dir: string): ClusterAccess | undefined {
  const doc = parseYaml(text) as KubeconfigFile | null;
  const context = doc?.contexts?.find((c) => c.name === doc["current-context"])?.context;
  const cluster = doc?.clusters?.find((c) => c.name === context?.cluster)?.cluster;
  const user = doc?.users?.find((u) => u.name === context?.user)?.user ?? {};
  if (!context || !cluster || typeof cluster.server !== "string") return undefined;
  if (![...Object.keys(cluster)].every((k) => CLUSTER_KEYS.has(k)) || !Object.keys(user).every((k) => USER_KEYS.has(k))) return undefined;
  // Paths in a kubeconfig are relative to its directory; *-data fields are base64.
  const material = (data: unknown, path: unknown) =>
    typeof data === "string" ? Buffer.from(data, "base64") : typeof path === "string" ? readFileSync(isAbsolute(path) ? path : join(dir, path)) : undefined;
  const ca = material(cluster["certificate-authority-data"], cluster["certificate-authority"]);
  const cert = material(user["client-certificate-data"], user["client-certificate"]);
  const key = material(user["client-key-data"], user["client-key"]);
  const tokenFile = typeof user.tokenFile === "string" ? (isAbsolute(user.tokenFile) ? user.tokenFile : join(dir, user.tokenFile)) : undefined;
  const basic = typeof user.username === "string" ? `${user.username}:${String(user.password ?? "")}` : undefined;
  return {
    server: cluster.server.replace(/\/+$/, ""),
    defaultNamespace: context.namespace || "default",
    async requestOptions() {
      const token = typeof user.token === "string" ? user.token : tokenFile ? (await readFile(tokenFile, "utf8")).trim() : undefined;
      return {
        ca,
        cert,
        key,
        rejectUnauthorized: cluster["insecure-skip-tls-verify"] !== true,
        servername: typeof cluster["tls-server-name"] === "string" ? cluster["tls-server-name"] : undefined,
        headers: token ? { Authorization: `Bearer ${token}` } : {},
        auth: basic,
      };
    },
    proxied: false,
  };
}
