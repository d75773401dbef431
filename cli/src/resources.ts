import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { CliError, type AdminConnection } from "./connection.js";
import { printTable } from "./output.js";

/** Files to apply: a file, "-" for stdin, or a directory walked recursively for *.yaml / *.yml. */
async function collect(path: string): Promise<{ origin: string; yaml: string }[]> {
  if (path === "-") return [{ origin: "stdin", yaml: await readStdin() }];
  let st;
  try {
    st = await stat(path);
  } catch {
    throw new CliError(`cannot read ${path}: no such file or directory`);
  }
  if (!st.isDirectory()) return [{ origin: path, yaml: await readFile(path, "utf8") }];
  const out: { origin: string; yaml: string }[] = [];
  for (const entry of (await readdir(path, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith(".")) continue;
    const full = join(path, entry.name);
    if (entry.isDirectory()) out.push(...(await collect(full)));
    else if (/\.ya?ml$/.test(entry.name)) out.push({ origin: full, yaml: await readFile(full, "utf8") });
  }
  return out;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** `gitfleet apply -f PATH`: files with Sources go first so Apps can name them. */
export async function applyFiles(conn: AdminConnection, paths: string[], dryRun = false): Promise<void> {
  if (paths.length === 0) throw new CliError("apply needs -f FILE|DIR|-");
  const files = (await Promise.all(paths.map(collect))).flat();
  if (files.length === 0) throw new CliError(`no *.yaml or *.yml files under ${paths.join(", ")}`);
  files.sort((a, b) => Number(/^kind:\s*Source\b/m.test(b.yaml)) - Number(/^kind:\s*Source\b/m.test(a.yaml)));
  if (dryRun) return planFiles(conn, files);
  for (const f of files) {
    const { results } = await conn.client.applyResources({ yaml: f.yaml, origin: f.origin }, { metadata: conn.metadata });
    for (const r of results) console.log(`${r.kind.toLowerCase()}/${r.name} ${r.action}`);
  }
}

// One request for all files, so an App may name a Source from another file; nothing is stored.
async function planFiles(conn: AdminConnection, files: { origin: string; yaml: string }[]): Promise<void> {
  const yaml = files.map((f) => f.yaml).join("\n---\n");
  const { plans } = await conn.client.applyResources({ yaml, origin: files.map((f) => f.origin).join(", "), dryRun: true }, { metadata: conn.metadata });
  for (const p of plans) {
    console.log(`app/${p.app} at ${p.revision ? p.revision.slice(0, 10) : "-"}: ${p.renders ? "renders" : `does not render: ${p.error}`} (dry run)`);
    if (p.clusters.length === 0) console.log("  no cluster matches a target");
    else printTable(["  CLUSTER", "TARGET", "OVERLAY", "STAGE"], p.clusters.map((c) => [`  ${c.cluster}`, c.target, c.overlay || "-", c.stage]));
  }
}

export async function deleteResource(conn: AdminConnection, kind: string, name: string): Promise<void> {
  const k = ({ app: "App", apps: "App", source: "Source", sources: "Source", notifier: "Notifier", notifiers: "Notifier" } as Record<string, "App" | "Source" | "Notifier">)[kind];
  if (!k) throw new CliError(`delete takes app, source or notifier, got "${kind}"`);
  await conn.client.deleteResource({ kind: k, name }, { metadata: conn.metadata });
  console.log(`${k.toLowerCase()}/${name} deleted`);
}
