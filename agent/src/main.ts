import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import * as grpc from "@grpc/grpc-js";
import { createLogger, LabelError, parseLabels, validateName } from "@gitfleet/shared";
import { AgentFatalError, createAgentClient, runLink, type LinkHandler } from "./connection/agent-link.js";
import { fileIdentityStore } from "./connection/credentials.js";
import { AGENT_VERSION } from "./version.js";
import { kubernetesVersion } from "./kube/version.js";

const USAGE = `usage: gitfleet-agent --hub HOST:PORT --name NAME [--token TOKEN] [--labels k=v,...]
                      [--state-dir DIR] [--kubeconfig FILE] [--ca-file FILE | --tls]
  --token       bootstrap token, needed only for the first registration (or GITFLEET_BOOTSTRAP_TOKEN)
  --state-dir   where the cluster credential and cache live (default ./gitfleet-agent-state)
  --ca-file     PEM CA that signed the hub's certificate (TLS); --tls uses the system roots`;

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
  const k8sVersion = values.kubeconfig ? await kubernetesVersion(values.kubeconfig, log) : "";

  const handler: LinkHandler = {
    assignments: (set) => log.info({ assignments: set.assignments.length, generation: String(set.generation) }, "assignments received"),
    link: () => {},
  };
  const abort = new AbortController();
  process.on("SIGTERM", () => abort.abort());
  process.on("SIGINT", () => abort.abort());
  const client = createAgentClient(values.hub, credentials);
  try {
    await runLink(
      {
        hub: values.hub,
        name: values.name,
        token: values.token ?? process.env.GITFLEET_BOOTSTRAP_TOKEN,
        labels,
        agentVersion: AGENT_VERSION,
        kubernetesVersion: k8sVersion,
        identities: fileIdentityStore(values["state-dir"]),
        credentials,
        log,
        handler,
      },
      client,
      abort.signal,
    );
  } finally {
    client.close();
  }
}

class UsageError extends Error {}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    if (err instanceof UsageError) console.error(`gitfleet-agent: ${err.message}\n${USAGE}`);
    else if (err instanceof AgentFatalError || err instanceof LabelError) console.error(`gitfleet-agent: ${err.message}`);
    else console.error(`gitfleet-agent: unexpected error: ${(err as Error).stack ?? String(err)}`);
    process.exit(err instanceof UsageError || err instanceof LabelError ? 2 : 1);
  },
);
