import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import * as grpc from "@grpc/grpc-js";
import { createLogger, DurationError, LabelError, parseDuration, parseLabels, validateName, type Logger } from "@gitfleet/shared";
import { fileAssignmentStore } from "./cache/assignment-store.js";
import { createBundleCache } from "./cache/bundle-cache.js";
import { hubBundleFetcher } from "./cache/hub-fetcher.js";
import { DEFAULT_DRIFT_INTERVAL_MS, DEFAULT_RESYNC_MS } from "./config/intervals.js";
import { AgentFatalError, createAgentClient, runLink, type LinkHandler } from "./connection/agent-link.js";
import { fileIdentityStore, secretIdentityStore, type IdentityStore } from "./connection/credentials.js";
import { createKube, inCluster, loadKubeConfig, type Kube } from "./kube/client.js";
import { kubernetesVersion } from "./kube/version.js";
import { createRunner } from "./reconcile/runner.js";
import { AGENT_VERSION } from "./version.js";

const USAGE = `usage: gitfleet-agent --hub HOST:PORT --name NAME [--token TOKEN] [--labels k=v,...]
                      [--state-dir DIR] [--kubeconfig FILE] [--ca-file FILE | --tls]
                      [--namespaces a,b] [--credential-secret NS/NAME] [--resync 5m] [--drift-interval 1m]
  --token              bootstrap token, needed only for the first registration (or GITFLEET_BOOTSTRAP_TOKEN)
  --state-dir          where the cluster credential, assignments and bundle cache live (default ./gitfleet-agent-state)
  --kubeconfig         the cluster to reconcile; in a pod the service account is used without it
  --namespaces         only write to these namespaces (others are reported as failed objects)
  --credential-secret  keep the cluster credential in this Secret instead of the state dir
  --resync             full reconcile of every app this often (apps with selfHeal off: health only)
  --drift-interval     full drift comparison this often (watches report most drift sooner)
  --ca-file            PEM CA that signed the hub's certificate (TLS); --tls uses the system roots`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      hub: { type: "string" },
      token: { type: "string" },
      name: { type: "string" },
      labels: { type: "string" },
      "state-dir": { type: "string", default: "gitfleet-agent-state" },
      kubeconfig: { type: "string" },
      "ca-file": { type: "string" },
      tls: { type: "boolean", default: false },
      namespaces: { type: "string" },
      "credential-secret": { type: "string" },
      resync: { type: "string" },
      "drift-interval": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (!values.hub) throw new UsageError("--hub is required");
  if (!values.name) throw new UsageError("--name is required");
  validateName("cluster", values.name);
  const labels = parseLabels(values.labels);
  const log = createLogger("gitfleet-agent").child({ cluster: values.name });
  const credentials = values["ca-file"]
    ? grpc.credentials.createSsl(readFileSync(values["ca-file"]))
    : values.tls
      ? grpc.credentials.createSsl()
      : grpc.credentials.createInsecure();
  const namespaces = values.namespaces?.split(",").map((n) => n.trim()).filter(Boolean);
  const resyncMs = values.resync ? parseDuration(values.resync, "--resync") : DEFAULT_RESYNC_MS;
  const driftIntervalMs = values["drift-interval"] ? parseDuration(values["drift-interval"], "--drift-interval") : DEFAULT_DRIFT_INTERVAL_MS;
  const kube = values.kubeconfig || inCluster() ? createKube(loadKubeConfig(values.kubeconfig)) : undefined;
  if (!kube) log.warn("no --kubeconfig and not in a cluster: connecting to the hub without reconciling");
  const k8sVersion = kube ? await kubernetesVersion(kube.kc, log) : "";
  const identities = identityStore(values["credential-secret"], values["state-dir"], kube);

  const abort = new AbortController();
  process.on("SIGTERM", () => abort.abort());
  process.on("SIGINT", () => abort.abort());
  const client = createAgentClient(values.hub, credentials);
  const runner = kube
    ? createRunner({
        kube,
        bundles: createBundleCache(values["state-dir"], hubBundleFetcher(client, identities)),
        store: fileAssignmentStore(values["state-dir"]),
        log,
        namespaces,
        timings: { resyncMs, driftIntervalMs },
      })
    : undefined;
  const handler: LinkHandler = runner ?? logOnly(log);
  try {
    await runner?.start();
    await runLink(
      {
        hub: values.hub,
        name: values.name,
        token: values.token ?? process.env.GITFLEET_BOOTSTRAP_TOKEN,
        labels,
        agentVersion: AGENT_VERSION,
        kubernetesVersion: k8sVersion,
        identities,
        credentials,
        log,
        handler,
      },
      client,
      abort.signal,
    );
  } finally {
    await runner?.stop();
    client.close();
  }
}

function identityStore(secret: string | undefined, stateDir: string, kube: Kube | undefined): IdentityStore {
  if (!secret) return fileIdentityStore(stateDir);
  const [namespace, name, extra] = secret.split("/");
  if (!namespace || !name || extra !== undefined) throw new UsageError(`--credential-secret "${secret}": want NAMESPACE/NAME`);
  if (!kube) throw new UsageError("--credential-secret needs a cluster: pass --kubeconfig or run in a pod");
  return secretIdentityStore(kube, namespace, name);
}

function logOnly(log: Logger): LinkHandler {
  return {
    assignments: (set) => log.info({ assignments: set.assignments.length, generation: String(set.generation) }, "assignments received"),
    link: () => {},
  };
}

class UsageError extends Error {}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    if (err instanceof UsageError || err instanceof DurationError) console.error(`gitfleet-agent: ${err.message}\n${USAGE}`);
    else if (err instanceof AgentFatalError || err instanceof LabelError) console.error(`gitfleet-agent: ${err.message}`);
    else console.error(`gitfleet-agent: unexpected error: ${(err as Error).stack ?? String(err)}`);
    process.exit(err instanceof UsageError || err instanceof LabelError || err instanceof DurationError ? 2 : 1);
  },
);
