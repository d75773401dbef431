import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import * as grpc from "@grpc/grpc-js";
import { createLogger, DurationError, LabelError, parseDuration, parseLabels, splitHostPort, validateName, versionLine } from "@gitfleet/shared";
import { AgentConfigError, AgentFatalError, startAgent } from "./agent.js";
import { DEFAULT_DRIFT_INTERVAL_MS, DEFAULT_RESYNC_MS } from "./config/intervals.js";
import { inCluster, loadClusterAccess } from "./kube/access.js";
import { AGENT_BUILD } from "./version.js";

const USAGE = `usage: gitfleet-agent --hub HOST:PORT[,HOST:PORT...] --name NAME | --version [--token TOKEN] [--labels k=v,...]
                      [--state-dir DIR] [--kubeconfig FILE] [--ca-file FILE | --tls]
                      [--namespaces a,b] [--credential-secret NS/NAME] [--resync 5m] [--drift-interval 1m]
                      [--metrics-listen HOST:PORT]
  --hub                the hub's gRPC address; several hubs sharing one PostgreSQL: a comma-separated list
                       (the first is tried first, then another at random after a failure) or one DNS name
  --token              bootstrap token, needed only for the first registration (or GITFLEET_BOOTSTRAP_TOKEN)
  --state-dir          where the cluster credential, assignments and bundle cache live (default ./gitfleet-agent-state)
  --kubeconfig         the cluster to reconcile; in a pod the service account is used without it
  --namespaces         only write to these namespaces (others are reported as failed objects)
  --credential-secret  keep the cluster credential in this Secret instead of the state dir
  --resync             full reconcile of every app this often (apps with selfHeal off: health only)
  --drift-interval     full drift comparison this often (watches report most drift sooner)
  --ca-file            PEM CA that signed the hub's certificate (TLS); --tls uses the system roots
  --metrics-listen     serve Prometheus metrics at http://HOST:PORT/metrics (port 0: a free one, logged)`;

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
      "metrics-listen": { type: "string" },
      help: { type: "boolean", short: "h" },
      version: { type: "boolean" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (values.version) {
    console.log(versionLine("gitfleet-agent", AGENT_BUILD));
    return;
  }
  if (!values.hub) throw new UsageError("--hub is required");
  if (!values.name) throw new UsageError("--name is required");
  validateName("cluster", values.name);
  const metricsListen = values["metrics-listen"];
  if (metricsListen !== undefined) tryUsage(() => splitHostPort(metricsListen, "--metrics-listen"));
  const log = createLogger("gitfleet-agent").child({ cluster: values.name });
  const credentials = values["ca-file"]
    ? grpc.credentials.createSsl(readFileSync(values["ca-file"]))
    : values.tls
      ? grpc.credentials.createSsl()
      : grpc.credentials.createInsecure();
  const agent = await startAgent({
    hub: values.hub,
    name: values.name,
    token: values.token ?? process.env.GITFLEET_BOOTSTRAP_TOKEN,
    labels: parseLabels(values.labels),
    stateDir: values["state-dir"],
    // In a pod the service account is used when no kubeconfig is given.
    kube: values.kubeconfig || inCluster() ? await loadClusterAccess(values.kubeconfig) : undefined,
    credentialSecret: values["credential-secret"],
    credentials,
    namespaces: values.namespaces?.split(",").map((n) => n.trim()).filter(Boolean),
    resyncMs: values.resync ? parseDuration(values.resync, "--resync") : DEFAULT_RESYNC_MS,
    driftIntervalMs: values["drift-interval"] ? parseDuration(values["drift-interval"], "--drift-interval") : DEFAULT_DRIFT_INTERVAL_MS,
    metricsListen,
    log,
  });
  process.on("SIGTERM", () => void agent.stop());
  process.on("SIGINT", () => void agent.stop());
  await agent.done;
}

class UsageError extends Error {}

function tryUsage(check: () => unknown): void {
  try {
    check();
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    if (err instanceof UsageError || err instanceof DurationError || err instanceof AgentConfigError) console.error(`gitfleet-agent: ${err.message}\n${USAGE}`);
    else if (err instanceof AgentFatalError || err instanceof LabelError) console.error(`gitfleet-agent: ${err.message}`);
    else console.error(`gitfleet-agent: unexpected error: ${(err as Error).stack ?? String(err)}`);
    process.exit(err instanceof UsageError || err instanceof LabelError || err instanceof DurationError || err instanceof AgentConfigError ? 2 : 1);
  },
);
