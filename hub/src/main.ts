import { parseArgs } from "node:util";
import { createLogger, parseDuration, readBuildInfo, versionLine } from "@gitfleet/shared";
import { startHub } from "./hub.js";
import { parseSize } from "./render/size-limits.js";
import { parseSourceHosts } from "./sources/hosts.js";
import { tuneHeap } from "./lib/heap.js";
import { HEAP_TUNING } from "./config/limits.js";
import { DEFAULT_POOL_SIZE } from "./store/index.js";

const USAGE = `usage: gitfleet-hub --data-dir DIR | --version [--database-url URL [--database-pool-size N]] [--listen HOST:PORT] [--http-listen HOST:PORT]
                    [--require-approval] [--heartbeat-timeout 30s] [--drift-retention 30d] [--retention-interval 1h] [--keep-revisions 10]
                    [--config-repo URL [--config-branch main] [--config-path DIR] [--config-interval 1m]] [--tls-cert FILE --tls-key FILE]
                    [--max-object-size 1MiB] [--max-bundle-size 64MiB] [--helm PATH] [--source-hosts HOST,...]
  --data-dir        where the hub keeps its SQLite database, admin token and Git cache
  --database-url    postgres://... to use PostgreSQL instead of SQLite (or DATABASE_URL)
  --database-pool-size  PostgreSQL connections this hub opens at most (default ${DEFAULT_POOL_SIZE}; each hub also
                    holds 4 for coordination). A request that waits 15 s for one is answered UNAVAILABLE
  --listen          gRPC address for agents and the CLI (default 127.0.0.1:7443)
  --http-listen     HTTP address for webhooks, metrics and health (default 127.0.0.1:7080)
  --max-object-size a rendered object larger than this is a render error (default 1MiB)
  --max-bundle-size a rendered bundle larger than this is a render error (default 64MiB)
  --retention-interval  how often old bundles, renders and checked-out trees are removed (default 1h; 0 = never)
  --keep-revisions  recent revisions per Source kept besides those assigned, rolling out or pinned (default 10)
  --helm            the helm binary that renders Helm charts (default: helm on PATH)
  --source-hosts    the only hosts Sources (Git and Helm repositories) may fetch from, comma-separated:
                    github.com,*.corp.example,127.0.0.1 (default: any host); a listed name may not
                    lead to a loopback, link-local or metadata address unless that address is listed
  --config-repo     a Git repo holding the hub's own Source and App definitions (applied as they change)`;

async function main(): Promise<void> {
  const log = createLogger("gitfleet-hub");
  const { values } = parseArgs({
    options: {
      "data-dir": { type: "string" },
      "database-url": { type: "string" },
      "database-pool-size": { type: "string" },
      listen: { type: "string", default: "127.0.0.1:7443" },
      "http-listen": { type: "string", default: "127.0.0.1:7080" },
      "require-approval": { type: "boolean", default: false },
      "heartbeat-timeout": { type: "string" },
      "drift-retention": { type: "string", default: "30d" },
      "retention-interval": { type: "string", default: "1h" },
      "keep-revisions": { type: "string", default: "10" },
      "config-repo": { type: "string" },
      "config-branch": { type: "string" },
      "config-path": { type: "string" },
      "config-interval": { type: "string" },
      "tls-cert": { type: "string" },
      "max-object-size": { type: "string", default: "1MiB" },
      "max-bundle-size": { type: "string", default: "64MiB" },
      "tls-key": { type: "string" },
      helm: { type: "string" },
      "source-hosts": { type: "string" },
      help: { type: "boolean", short: "h" },
      version: { type: "boolean" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (values.version) {
    console.log(versionLine("gitfleet-hub", readBuildInfo(import.meta.url)));
    return;
  }
  if (!values["data-dir"]) throw new UsageError("--data-dir is required");
  tuneHeap(HEAP_TUNING);
  if (Boolean(values["tls-cert"]) !== Boolean(values["tls-key"])) throw new UsageError("--tls-cert and --tls-key go together");
  const hub = await startHub({
    dataDir: values["data-dir"],
    databaseUrl: values["database-url"] ?? process.env.DATABASE_URL,
    ...(values["database-pool-size"] ? { databasePoolSize: positive(values["database-pool-size"], "--database-pool-size") } : {}),
    listen: values.listen,
    httpListen: values["http-listen"],
    approvalRequired: values["require-approval"],
    heartbeatTimeoutMs: values["heartbeat-timeout"] ? parseDuration(values["heartbeat-timeout"], "--heartbeat-timeout") : undefined,
    driftRetentionMs: parseDuration(values["drift-retention"], "--drift-retention"),
    retention: { intervalMs: values["retention-interval"] === "0" ? 0 : parseDuration(values["retention-interval"]!, "--retention-interval"), keepRevisions: count(values["keep-revisions"]!, "--keep-revisions") },
    configSource: values["config-repo"] ? { url: values["config-repo"], branch: values["config-branch"], path: values["config-path"], interval: values["config-interval"] } : undefined,
    renderLimits: { maxObjectBytes: parseSize(values["max-object-size"], "--max-object-size"), maxBundleBytes: parseSize(values["max-bundle-size"], "--max-bundle-size") },
    ...(values.helm ? { helmBin: values.helm } : {}),
    ...(values["source-hosts"] !== undefined ? { sourceHosts: parseSourceHosts(values["source-hosts"]) } : {}),
    tls: values["tls-cert"] ? { certFile: values["tls-cert"], keyFile: values["tls-key"]! } : undefined,
    log,
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "hub stopping");
    hub.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, "hub shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

class UsageError extends Error {}

function positive(value: string, flag: string): number {
  const n = count(value, flag);
  if (n === 0) throw new UsageError(`${flag} wants at least 1`);
  return n;
}

function count(value: string, flag: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new UsageError(`${flag} wants a whole number, got "${value}"`);
  return n;
}

main().catch((err: unknown) => {
  if (err instanceof UsageError) console.error(`gitfleet-hub: ${err.message}\n${USAGE}`);
  else console.error(`gitfleet-hub: ${(err as Error).message}`);
  process.exit(2);
});
