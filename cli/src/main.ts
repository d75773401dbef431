import { parseArgs } from "node:util";
import { DurationError, LabelError, parseDuration, readBuildInfo, RpcError, versionLine } from "@gitfleet/shared";
import { CliError, connectAdmin } from "./connection.js";
import { addCluster, labelCluster, listClusters, showCluster } from "./clusters.js";
import { createToken, listAdminTokens, listTokens, revokeAdminToken, revokeToken } from "./tokens.js";
import { applyFiles, deleteResource } from "./resources.js";
import { driftShow, driftSummary } from "./drift.js";
import { driftGroups } from "./drift-groups.js";
import { getResources, listApps, listSources, pinApp, showApp, showSource, syncApp } from "./apps.js";
import { getNotifiers } from "./notifiers.js";
import { auditLog, explain, manifests, rolloutAction, rolloutStatus } from "./rollouts.js";

const USAGE = `usage: gitfleet [--hub HOST:PORT] [--token TOKEN] [--data-dir DIR] [--ca-file FILE] COMMAND | --version
  token create [--labels k=v,...] [--ttl 1h] [--max-uses N] [--description TEXT]
  token list [-o json]
  token revoke ID
  admin-token create --role admin|operator|viewer [--description TEXT]   an admin API token (operator: apps and
                                  rollouts, no tokens or clusters; viewer: read-only), shown once; the audit
                                  log's actor for its changes is admin-token:ID (DESCRIPTION)
  admin-token list [-o json]
  admin-token revoke ID           the token stops working at once, on every hub
  cluster list [-o json]
  cluster show NAME [-o json]
  cluster label NAME k=v k2-
  cluster approve NAME
  cluster delete NAME
  cluster add NAME [--labels k=v,...] [--namespaces a,b] [--hub-address HOST:PORT] [--image IMAGE]
                   [-o manifest|helm-values]   an install manifest, or values for the gitfleet-agent chart
  apply -f FILE|DIR|- [--dry-run] Sources and Apps (apiVersion gitfleet.dev/v1), kubectl-style;
                                  --dry-run stores nothing and prints the clusters each App would reach
  get apps|sources|notifiers [NAME] [-o yaml|json]
  delete app|source|notifier NAME
  app list [-o json]
  app show NAME [-o json]
  app pin NAME REVISION
  app unpin NAME
  app sync NAME [--cluster C]     reconcile now on every cluster (or one), e.g. after fixing the cluster
  source list [-o json]
  source show NAME [-o json]
  drift [-l SELECTOR] [--cluster C] [--app A] [--since 24h] [-o json]
  drift --by object|field [-l SELECTOR] [--app A] [--since 24h] [-o json]
  drift show [--cluster C] [--app A] [--history] [--since 24h] [-o json]
  rollout status APP [-o json] [--watch]   stages, clusters, what the rollout waits for
  rollout pause|resume|promote|abort|retry APP
  explain APP --cluster C [-o json]         why the app is (not) on the cluster
  app manifests APP --cluster C [--revision REV] [--show-secrets]
  audit [--app A] [--cluster C] [--since 24h] [--limit 500 | --all] [-o json]   the newest events, each with who made it
The hub is found with --hub, GITFLEET_HUB or DATA_DIR/hub.json; the admin token with --token,
GITFLEET_TOKEN or DATA_DIR/admin-token (--data-dir or GITFLEET_DATA_DIR).`;

const ROLLOUT_VERBS = ["pause", "resume", "promote", "abort", "retry"];

const options = {
  hub: { type: "string" },
  token: { type: "string" },
  "data-dir": { type: "string" },
  "ca-file": { type: "string" },
  output: { type: "string", short: "o" },
  filename: { type: "string", short: "f", multiple: true },
  labels: { type: "string" },
  ttl: { type: "string" },
  "max-uses": { type: "string" },
  description: { type: "string" },
  role: { type: "string" },
  namespaces: { type: "string" },
  "hub-address": { type: "string" },
  image: { type: "string", default: "gitfleet/agent:0.1.0" },
  selector: { type: "string", short: "l" },
  cluster: { type: "string" },
  app: { type: "string" },
  since: { type: "string", default: "24h" },
  history: { type: "boolean", default: false },
  watch: { type: "boolean", short: "w", default: false },
  revision: { type: "string", default: "" },
  "show-secrets": { type: "boolean", default: false },
  "dry-run": { type: "boolean", default: false },
  by: { type: "string" },
  limit: { type: "string" },
  all: { type: "boolean", default: false },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean" },
} as const;

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true });
  const [noun, verb, ...rest] = positionals;
  if (values.version) {
    console.log(versionLine("gitfleet", readBuildInfo(import.meta.url)));
    return;
  }
  if (values.help || !noun) {
    console.log(USAGE);
    return;
  }
  const clusterAdd = noun === "cluster" && verb === "add"; // its -o picks an install format instead
  if (values.output && !clusterAdd && !["json", "yaml", "table"].includes(values.output)) throw new CliError(`-o must be json, yaml or table, got "${values.output}"`);
  const conn = () => connectAdmin({ hub: values.hub, token: values.token, dataDir: values["data-dir"], caFile: values["ca-file"] });
  const arg = (what: string) => {
    if (!rest[0]) throw new CliError(`${noun} ${verb} needs ${what}`);
    return rest[0];
  };
  // Verb-first commands, kubectl style.
  switch (noun) {
    case "apply":
      return applyFiles(conn(), [...(values.filename ?? []), ...(verb ? [verb, ...rest] : [])], values["dry-run"]);
    case "get":
      if (verb === "notifiers" || verb === "notifier") return getNotifiers(conn(), rest[0], values.output);
      if (verb !== "apps" && verb !== "app" && verb !== "sources" && verb !== "source") throw new CliError("get takes apps, sources or notifiers");
      return getResources(conn(), verb, rest[0], values.output);
    case "drift": {
      const flags = { selector: values.selector, cluster: values.cluster, app: values.app, windowMs: parseDuration(values.since, "--since"), history: values.history, output: values.output };
      if (verb === "show") return driftShow(conn(), flags);
      if (verb) throw new CliError(`unknown command "drift ${verb}"`);
      if (values.by !== undefined) return driftGroups(conn(), { ...flags, by: values.by });
      return driftSummary(conn(), flags);
    }
    case "rollout": {
      const app = arg("an app NAME");
      if (verb === "status") return rolloutStatus(conn(), app, values.output, values.watch);
      if (verb && ROLLOUT_VERBS.includes(verb)) return rolloutAction(conn(), app, verb);
      throw new CliError(`rollout takes status, ${ROLLOUT_VERBS.join(", ")}`);
    }
    case "explain":
      if (!verb || !values.cluster) throw new CliError("explain needs APP and --cluster C");
      return explain(conn(), verb, values.cluster, values.output);
    case "audit":
      if (verb) throw new CliError(`unknown command "audit ${verb}"`);
      if (values.limit !== undefined && values.all) throw new CliError("audit takes --limit or --all, not both");
      return auditLog(conn(), { app: values.app, cluster: values.cluster, sinceMs: parseDuration(values.since, "--since"), limit: values.limit === undefined ? 0 : pageLimit(values.limit), all: values.all }, values.output);
    case "delete":
      if (!verb) throw new CliError("delete takes app NAME or source NAME");
      return deleteResource(conn(), verb, arg("a NAME"));
  }
  const key = `${noun} ${verb ?? ""}`.trim();
  switch (key) {
    case "token create": {
      const maxUses = values["max-uses"] === undefined ? 0 : Number(values["max-uses"]);
      if (!Number.isInteger(maxUses) || maxUses < 0) throw new CliError(`--max-uses must be a whole number >= 0, got "${values["max-uses"]}"`);
      return createToken(conn(), { labels: values.labels, ttlMs: values.ttl ? parseDuration(values.ttl, "--ttl") : 0, maxUses, description: values.description });
    }
    case "token list":
      return listTokens(conn(), values.output);
    case "admin-token create": {
      if (!values.role) throw new CliError("admin-token create needs --role admin, operator or viewer");
      const c = conn();
      const res = await c.client.createAdminToken({ role: values.role, description: values.description ?? "" }, { metadata: c.metadata });
      console.log(res.token);
      return;
    }
    case "admin-token list":
      return listAdminTokens(conn(), values.output);
    case "admin-token revoke":
      return revokeAdminToken(conn(), arg("an admin token ID"));
    case "token revoke":
      return revokeToken(conn(), arg("a token ID"));
    case "cluster list":
      return listClusters(conn(), values.output);
    case "cluster show":
      return showCluster(conn(), arg("a cluster NAME"), values.output);
    case "cluster label":
      return labelCluster(conn(), arg("a cluster NAME"), rest.slice(1));
    case "cluster approve": {
      const c = conn();
      await c.client.approveCluster({ name: arg("a cluster NAME") }, { metadata: c.metadata });
      console.log(`cluster/${rest[0]} approved`);
      return;
    }
    case "cluster delete": {
      const c = conn();
      await c.client.deleteCluster({ name: arg("a cluster NAME") }, { metadata: c.metadata });
      console.log(`cluster/${rest[0]} deleted`);
      return;
    }
    case "cluster add":
      return addCluster(conn(), arg("a cluster NAME"), {
        labels: values.labels,
        namespaces: values.namespaces,
        hubAddress: values["hub-address"],
        image: values.image,
        output: values.output,
        ttl: values.ttl ? parseDuration(values.ttl, "--ttl") : 3_600_000,
      });
    case "app list":
      return listApps(conn(), values.output);
    case "app show":
      return showApp(conn(), arg("an app NAME"), values.output);
    case "app pin":
      if (!rest[1]) throw new CliError("app pin needs NAME and REVISION");
      return pinApp(conn(), rest[0]!, rest[1]);
    case "app manifests":
      if (!values.cluster) throw new CliError("app manifests needs APP and --cluster C");
      return manifests(conn(), arg("an app NAME"), values.cluster, values.revision, values["show-secrets"]);
    case "app unpin":
      return pinApp(conn(), arg("an app NAME"), "");
    case "app sync":
      return syncApp(conn(), arg("an app NAME"), values.cluster);
    case "source list":
      return listSources(conn(), values.output);
    case "source show":
      return showSource(conn(), arg("a source NAME"), values.output);
    default:
      throw new CliError(`unknown command "${key}"\n${USAGE}`);
  }
}

/** audit --limit: the hub pages at most 5000 events (its ListAuditEvents page_size). */
function pageLimit(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 5000) throw new CliError(`--limit wants a whole number from 1 to 5000, got "${value}"`);
  return n;
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err: unknown) => {
    if (err instanceof CliError || err instanceof LabelError || err instanceof DurationError || String((err as { code?: unknown }).code).startsWith("ERR_PARSE_ARGS_")) {
      console.error(`error: ${(err as Error).message}`);
      process.exit(2);
    }
    const e = RpcError.from(err);
    console.error(`error: ${e.reason === "INTERNAL" && !(err as { code?: number }).code ? (err as Error).message : e.message} (${e.reason})`);
    process.exit(1);
  },
);
