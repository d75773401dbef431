// Library entry: startKubeSim() runs one emulated cluster on a loopback port.
import { existsSync } from "node:fs";
import { readFile, rename, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import { createSecureServer } from "node:http2";
import type { AddressInfo, Server, Socket } from "node:net";
import { Auth, type TokenScope } from "./auth.js";
import { rbacAllows } from "./rbac.js";
import { Cluster } from "./cluster.js";
import { brokenByTag, Controllers } from "./controllers.js";
import { Faults } from "./faults.js";
import { kubeconfigYaml } from "./kubeconfig.js";
import { OpenApi } from "./openapi.js";
import { createHandler } from "./server.js";
import { simRequest, type SimRequestInit, type SimResponse } from "./request.js";
import { createSimStore, type SimStore } from "./sim-store.js";
import { tlsFor } from "./tls.js";
import type { KObj } from "./util.js";
import type { WatchRegistry } from "./watch.js";

export type { FaultRule, FaultDecision } from "./faults.js";
export type { TokenScope } from "./auth.js";
export type { SimStore } from "./sim-store.js";
export type { Faults } from "./faults.js";
export type { KObj } from "./util.js";
export type { SimRequestInit, SimResponse } from "./request.js";

export interface KubeSimOptions {
  /** 0 = pick a free port (default) */
  port?: number;
  /** default 127.0.0.1 */
  host?: string;
  /** workload readiness delay, default 200 ms */
  readyDelayMs?: number;
  /** how long a broken workload takes to fail (ProgressDeadlineExceeded / BackoffLimitExceeded); default 3 x readyDelayMs */
  failDelayMs?: number;
  /** bearer token -> scope; when omitted one admin token is generated */
  tokens?: Record<string, TokenScope>;
  /** JSON snapshot loaded at start (when present) and written on close() and saveSnapshot() */
  snapshotFile?: string;
  /** image tag that never becomes ready, default "broken" */
  brokenImageTag?: string;
  /** decides whether a workload/job/pod fails; overrides brokenImageTag */
  isBroken?: (obj: KObj) => boolean;
  /** simulated nodes (DaemonSet desired count), default 1 */
  nodes?: number;
  /** cluster/context/user name in kubeconfigs, default "kube-sim" */
  name?: string;
  /** interval of BOOKMARK events on watches that allow them, default 1000 ms */
  bookmarkIntervalMs?: number;
  /** events kept for watch resumption, default 1000 */
  watchHistory?: number;
  /** how long after its DELETE a Namespace's content starts to be removed (the namespace controller's lag), default 300 ms */
  namespaceDeleteDelayMs?: number;
  /** serve https with a generated CA (default true); false serves plain http with the token in the URL path */
  tls?: boolean;
}

export interface KubeSim {
  /** https://127.0.0.1:PORT (http:// with tls: false) */
  url: string;
  /** PEM of the CA that signed the serving certificate; undefined with tls: false */
  ca?: string;
  port: number;
  /** an unrestricted admin token */
  token: string;
  /** YAML text of a kubeconfig for this server */
  kubeconfig(opts?: { token?: string; namespace?: string }): string;
  writeKubeconfig(file: string, opts?: { token?: string; namespace?: string }): Promise<void>;
  /** direct in-memory access for tests */
  store: SimStore;
  /** fault injection control */
  faults: Faults;
  /** add or remove tokens at run time */
  addToken(token: string, scope?: TokenScope): void;
  removeToken(token: string): void;
  saveSnapshot(file?: string): Promise<void>;
  /** one raw request, trusting the sim's CA, with the admin token unless init.token says otherwise */
  request(method: string, path: string, init?: SimRequestInit): Promise<SimResponse>;
  /** closes server + all watches; leaves no handles open */
  close(): Promise<void>;
}

/** Answers wait in the session's memory for the client's flow-control window; Node refuses new streams past 10 MB by default, which a few large lists exceed. */
const H2_SESSION_MEMORY_MB = 1024;

export async function startKubeSim(opts: KubeSimOptions = {}): Promise<KubeSim> {
  const cluster = new Cluster({ watchHistory: opts.watchHistory, namespaceDeleteDelayMs: opts.namespaceDeleteDelayMs });
  const readyDelayMs = opts.readyDelayMs ?? 200;
  const controllers = new Controllers(cluster, {
    readyDelayMs,
    failDelayMs: opts.failDelayMs ?? Math.max(readyDelayMs * 3, 50),
    nodes: opts.nodes ?? 1,
    isBroken: opts.isBroken ?? brokenByTag(opts.brokenImageTag ?? "broken"),
  });
  if (opts.snapshotFile && existsSync(opts.snapshotFile)) {
    cluster.store.load(JSON.parse(await readFile(opts.snapshotFile, "utf8")));
    controllers.registerAll();
  }
  controllers.bootstrap();
  const auth = new Auth(opts.tokens, (sa, verb, res, ns, name) => rbacAllows(cluster.store, sa, verb, res, ns, name));
  const faults = new Faults();
  const watches: WatchRegistry = new Set();
  const handler = createHandler({ cluster, auth, faults, openapi: new OpenApi(cluster.registry), watches, bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 1000 });
  const tls = opts.tls === false ? undefined : await tlsFor(opts.host ?? "127.0.0.1");
  const serve = (req: Parameters<typeof handler>[0], res: Parameters<typeof handler>[1]) => void handler(req, res);
  // Over TLS, HTTP/2 when the client offers it (ALPN), as an API server does (client-go and the agent use it), else HTTP/1.1.
  const server: Server = tls ? createSecureServer({ key: tls.key, cert: tls.cert, allowHTTP1: true, maxSessionMemory: H2_SESSION_MEMORY_MB }, serve) : createServer({ keepAliveTimeout: 5000 }, serve);
  const sockets = new Set<Socket>();
  server.on(tls ? "secureConnection" : "connection", (s: Socket) => {
    sockets.add(s);
    s.once("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `${tls ? "https" : "http"}://${opts.host ?? "127.0.0.1"}:${port}`;
  const name = opts.name ?? "kube-sim";
  const kubeconfig = (o: { token?: string; namespace?: string } = {}) => {
    const token = o.token ?? auth.adminToken;
    return kubeconfigYaml({ server: tls ? url : `${url}/t/${encodeURIComponent(token)}`, ca: tls?.ca, token, name, namespace: o.namespace });
  };
  const saveSnapshot = async (file = opts.snapshotFile) => {
    if (!file) return;
    await writeFile(`${file}.tmp`, JSON.stringify({ version: 1, ...cluster.store.dump() }));
    await rename(`${file}.tmp`, file);
  };
  let closed: Promise<void> | undefined;
  return {
    url, port, token: auth.adminToken, ca: tls?.ca, kubeconfig,
    request: (method, path, init) => simRequest({ url, ca: tls?.ca, token: auth.adminToken }, method, path, init),
    writeKubeconfig: (file, o) => writeFile(file, kubeconfig(o), { mode: 0o600 }),
    store: createSimStore(cluster),
    faults,
    addToken: (t, s) => auth.addToken(t, s),
    removeToken: (t) => auth.removeToken(t),
    saveSnapshot,
    close: () => (closed ??= (async () => {
      cluster.scheduler.close();
      for (const end of [...watches]) end();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      await saveSnapshot();
    })()),
  };
}
