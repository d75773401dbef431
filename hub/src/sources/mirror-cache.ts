import { createHash, randomBytes } from "node:crypto";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";
import { createLanes } from "../lib/concurrency.js";
import { SourceFetchError } from "./errors.js";
import { gitIn, withCredentials, type GitCredentials, type SshPin } from "./git-env.js";
import { checkUrl } from "./spec.js";
import type { ResolvedHost } from "./hosts.js";

/** A bare mirror of one repository on local disk; url never carries credentials. */
export type Mirror = { sourceName: string; url: string; dir: string };

export type MirrorCache = {
  /** With `resolved`, the fetch connects to those addresses only (what --source-hosts checked), not to what the name resolves to then. */
  fetch(sourceName: string, url: string, credentials?: GitCredentials, resolved?: ResolvedHost): Promise<Mirror>;
};

export type MirrorCacheOptions = { dir: string; logger: Logger; timeoutMs?: number };

export function createMirrorCache({ dir, logger, timeoutMs }: MirrorCacheOptions): MirrorCache {
  // One git operation per mirror at a time; different mirrors fetch in parallel.
  const lanes = createLanes();

  async function fetchInto(mirrorDir: string, url: string, creds?: GitCredentials, resolved?: ResolvedHost): Promise<"cloned" | "fetched"> {
    await mkdir(dir, { recursive: true });
    // Each checked address in turn where git connects to one (as curl and an unpinned git do).
    const attempts = pinned(url, resolved);
    for (let i = 0; ; i++) {
      try {
        return await fetchPinned(mirrorDir, url, creds, attempts[i]!);
      } catch (err) {
        if (i === attempts.length - 1) throw err;
      }
    }
  }

  async function fetchPinned(mirrorDir: string, url: string, creds: GitCredentials | undefined, { config, ssh }: Pin): Promise<"cloned" | "fetched"> {
    return withCredentials(creds, join(dir, "known_hosts"), async (env) => {
      if (await exists(mirrorDir)) {
        await gitIn(mirrorDir, env, timeoutMs, config).fetch(["--prune", "origin"]);
        return "fetched";
      }
      // Clone beside the final path and rename, so a failed clone never leaves a half mirror.
      const tmp = `${mirrorDir}.tmp-${randomBytes(4).toString("hex")}`;
      try {
        await gitIn(dir, env, timeoutMs, config).clone(url, tmp, ["--mirror"]);
        await rename(tmp, mirrorDir);
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
      return "cloned";
    }, ssh);
  }

  return {
    fetch(sourceName, rawUrl, credentials, resolved) {
      const { url, fromUrl } = splitCredentials(checkUrl(rawUrl));
      const mirrorDir = join(dir, createHash("sha256").update(url).digest("hex").slice(0, 24) + ".git");
      return lanes.run(mirrorDir, async () => {
        const started = Date.now();
        let how: string;
        try {
          how = await fetchInto(mirrorDir, url, credentials ?? fromUrl, resolved);
        } catch (err) {
          // What the Source's author reads: git's words without the hub's own paths (its progress line
          // names the mirror being cloned).
          const why = (err instanceof Error ? err.message : String(err))
            .split("\n")
            .filter((line) => !line.startsWith("Cloning into"))
            .join("\n")
            .replaceAll(dir, "<mirror>");
          // git -c http.followRedirects=false (gitIn) reports a redirect as an HTTP error only.
          throw new SourceFetchError(sourceName, url, why.replace(/(returned error: 3\d\d)\b/, "$1: the hub follows no redirects, set spec.url to the repository's final URL"));
        }
        logger.info({ source: sourceName, url, how, ms: Date.now() - started }, "source fetched");
        return { sourceName, url, dir: mirrorDir };
      });
    },
  };
}

/** What makes one git run connect to checked addresses: its -c config, or for ssh the address and host-key name. */
type Pin = { config: string[]; ssh?: SshPin };

/**
 * How git connects to the addresses --source-hosts checked, not to what the name resolves to then
 * (DNS rebinding), one way to try after another: curl's resolve entry for http(s) (it tries them
 * all), the URL rewritten to each address for git:// (its host= line names the address then), ssh
 * to each address with the host key checked under the name.
 */
function pinned(url: string, resolved?: ResolvedHost): Pin[] {
  if (!resolved?.addresses.length) return [{ config: [] }];
  const literal = (a: string) => (a.includes(":") ? `[${a}]` : a);
  if (/^https?:\/\//i.test(url)) {
    const u = new URL(url);
    const port = u.port || (u.protocol === "https:" ? "443" : "80");
    return [{ config: [`http.curloptResolve=${resolved.host}:${port}:${resolved.addresses.map(literal).join(",")}`] }];
  }
  const unpinnable = new Error(`the hub cannot make git connect only to the address it checked for host "${resolved.host}" in this URL`);
  if (/^git:\/\//i.test(url)) {
    // insteadOf matches the URL as written: rewrite its scheme and authority only.
    const git = /^(git:\/\/)[^/:@]+(:\d+)?\//i.exec(url);
    if (!git) throw unpinnable;
    return resolved.addresses.map((a) => ({ config: [`url.${git[1]}${literal(a)}${git[2] ?? ""}/.insteadOf=${git[0]}`] }));
  }
  if (!/^[a-z0-9_.-]+$/.test(resolved.host)) throw unpinnable;
  // ssh looks a key up as "[host]:port" off port 22; an alias is looked up as it is.
  const port = /^ssh:\/\//i.test(url) ? new URL(url).port : "";
  const host = port && port !== "22" ? `[${resolved.host}]:${port}` : resolved.host;
  return resolved.addresses.map((address) => ({ config: [], ssh: { host, address } }));
}

/** Moves https userinfo out of the URL so it is never persisted in the mirror's config. */
export function splitCredentials(raw: string): { url: string; fromUrl?: GitCredentials } {
  if (!/^https?:\/\//i.test(raw)) return { url: raw };
  const u = new URL(raw);
  if (!u.username && !u.password) return { url: raw };
  const username = decodeURIComponent(u.username);
  const password = decodeURIComponent(u.password);
  u.username = "";
  u.password = "";
  const fromUrl: GitCredentials = password
    ? { kind: "basic", username, password }
    : { kind: "basic", password: username }; // https://TOKEN@host: the token is the only secret
  return { url: u.toString(), fromUrl };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}
