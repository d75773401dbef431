import { createHash, randomBytes } from "node:crypto";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";
import { createLanes } from "../lib/concurrency.js";
import { SourceFetchError } from "./errors.js";
import { gitIn, withCredentials, type GitCredentials } from "./git-env.js";
import { checkUrl } from "./spec.js";
import type { ResolvedHost } from "./hosts.js";

/** A bare mirror of one repository on local disk; url never carries credentials. */
export type Mirror = { sourceName: string; url: string; dir: string };

export type MirrorCache = {
  /** With `resolved`, an http(s) fetch connects to those addresses only (what --source-hosts checked), not to what the name resolves to then. */
  fetch(sourceName: string, url: string, credentials?: GitCredentials, resolved?: ResolvedHost): Promise<Mirror>;
};

export type MirrorCacheOptions = { dir: string; logger: Logger; timeoutMs?: number };

export function createMirrorCache({ dir, logger, timeoutMs }: MirrorCacheOptions): MirrorCache {
  // One git operation per mirror at a time; different mirrors fetch in parallel.
  const lanes = createLanes();

  async function fetchInto(mirrorDir: string, url: string, creds?: GitCredentials, resolved?: ResolvedHost): Promise<"cloned" | "fetched"> {
    await mkdir(dir, { recursive: true });
    const config = pinned(url, resolved);
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
    });
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

// curl's resolve entry (git's http.curloptResolve): a DNS answer changed since the check (rebinding) is not used.
// ssh and git:// resolve on their own.
function pinned(url: string, resolved?: ResolvedHost): string[] {
  if (!resolved || !/^https?:\/\//i.test(url)) return [];
  const u = new URL(url);
  const port = u.port || (u.protocol === "https:" ? "443" : "80");
  return [`http.curloptResolve=${resolved.host}:${port}:${resolved.addresses.map((a) => (a.includes(":") ? `[${a}]` : a)).join(",")}`];
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
