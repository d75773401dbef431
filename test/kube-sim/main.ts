#!/usr/bin/env node
// CLI: npm run kube-sim -- --port P --kubeconfig FILE [--ready-delay MS] [--snapshot FILE] [--token T[:ns1,ns2]]...
import { parseArgs } from "node:util";
import { startKubeSim, type TokenScope } from "./index.js";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    host: { type: "string", default: "127.0.0.1" },
    kubeconfig: { type: "string" },
    "ready-delay": { type: "string" },
    "fail-delay": { type: "string" },
    snapshot: { type: "string" },
    token: { type: "string", multiple: true },
    nodes: { type: "string" },
    name: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});

if (values.help) {
  console.log("usage: kube-sim [--port P] [--host H] [--kubeconfig FILE] [--ready-delay MS] [--fail-delay MS] [--snapshot FILE] [--nodes N] [--name NAME] [--token TOKEN[:ns1,ns2]]...");
  process.exit(0);
}

let tokens: Record<string, TokenScope> | undefined;
for (const t of values.token ?? []) {
  const [tok, nss] = t.split(":");
  (tokens ??= {})[tok!] = nss ? { namespaces: nss.split(",") } : {};
}

const sim = await startKubeSim({
  port: Number(values.port), host: values.host, tokens, snapshotFile: values.snapshot, name: values.name,
  readyDelayMs: values["ready-delay"] ? Number(values["ready-delay"]) : undefined,
  failDelayMs: values["fail-delay"] ? Number(values["fail-delay"]) : undefined,
  nodes: values.nodes ? Number(values.nodes) : undefined,
});
if (values.kubeconfig) await sim.writeKubeconfig(values.kubeconfig);
console.log(`kube-sim listening on ${sim.url}${values.kubeconfig ? `; kubeconfig written to ${values.kubeconfig}` : ""}`);
const stop = () => { void sim.close().then(() => process.exit(0)); };
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
