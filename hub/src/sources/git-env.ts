import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simpleGit, type SimpleGit } from "simple-git";

export type GitCredentials =
  | { kind: "basic"; username?: string; password: string }
  | { kind: "ssh"; privateKey: string; knownHosts?: string };

type GitEnv = Record<string, string>;

/**
 * A simple-git instance whose environment carries the credentials and nothing ambient. Redirects
 * are refused (per command, whatever the user's git config says): following one would fetch from,
 * and send credentials to, a host nobody allowed (--source-hosts).
 */
export function gitIn(baseDir: string, env: GitEnv = {}, timeoutMs = 120_000, config: string[] = []): SimpleGit {
  const git = simpleGit({
    baseDir,
    config: ["http.followRedirects=false", ...config],
    allowEnvironment: Object.keys(env),
    // The hub writes these itself: GIT_SSH_COMMAND, GIT_CONFIG_*, and a url.insteadOf pinning git:// to a checked address.
    unsafe: { allowUnsafeSshCommand: true, allowUnsafeConfigEnvCount: true, allowUnsafeUrlRewrite: true },
    timeout: { block: timeoutMs },
  });
  return git.env({ ...ambientEnv(), ...env });
}

// simple-git rejects git-affecting variables it was not told about; ours are all explicit.
const GUARDED = new Set(["EDITOR", "VISUAL", "PAGER", "PREFIX", "SSH_ASKPASS"]);

export function ambientEnv(): GitEnv {
  const out: GitEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    const upper = k.toUpperCase();
    if (v !== undefined && !upper.startsWith("GIT_") && !GUARDED.has(upper)) out[k] = v;
  }
  return out;
}

/** Where ssh connects for a host name --source-hosts checked: one of the checked addresses. */
export type SshPin = { host: string; address: string };

// ssh connects to the pinned address and checks the host key under the name. The values reach ssh
// through the environment: GIT_SSH_COMMAND is shell text, and nothing from a Source may be part of it.
const PIN_OPTIONS = `-o "HostName=$GITFLEET_SSH_ADDRESS" -o "HostKeyAlias=$GITFLEET_SSH_HOST"`;

function pinEnv(pin: SshPin | undefined): GitEnv {
  if (!pin) return {};
  return { GITFLEET_SSH_ADDRESS: pin.address, GITFLEET_SSH_HOST: pin.host, GIT_SSH_COMMAND: `ssh ${PIN_OPTIONS}` };
}

/**
 * Runs fn with git environment variables for the credentials (and the ssh pin). The https token
 * travels as an http.extraHeader via GIT_CONFIG_* (not argv, not the URL, never written to the
 * mirror's config); an ssh key lives in a 0600 temp file only for the duration of fn.
 */
export async function withCredentials<T>(
  creds: GitCredentials | undefined,
  knownHostsFile: string,
  fn: (env: GitEnv) => Promise<T>,
  pin?: SshPin,
): Promise<T> {
  // Never wait on a terminal prompt for credentials the hub does not have.
  const base: GitEnv = { GIT_TERMINAL_PROMPT: "0", ...pinEnv(pin) };
  if (!creds) return fn(base);
  if (creds.kind === "basic") {
    const basic = Buffer.from(`${creds.username ?? "git"}:${creds.password}`).toString("base64");
    return fn({
      ...base,
      GIT_CONFIG_COUNT: "1",
      GIT_CONFIG_KEY_0: "http.extraHeader",
      GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
    });
  }
  const dir = await mkdtemp(join(tmpdir(), "gitfleet-ssh-"));
  try {
    const keyFile = join(dir, "key");
    await writeFile(keyFile, creds.privateKey.endsWith("\n") ? creds.privateKey : creds.privateKey + "\n", { mode: 0o600 });
    await chmod(keyFile, 0o600);
    let hosts = knownHostsFile;
    if (creds.knownHosts) {
      hosts = join(dir, "known_hosts");
      await writeFile(hosts, creds.knownHosts, { mode: 0o600 });
    }
    // Without pinned host keys, trust on first use and remember them in the cache dir.
    const strict = creds.knownHosts ? "yes" : "accept-new";
    const ssh = [
      "ssh", "-i", quote(keyFile), "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
      "-o", `UserKnownHostsFile=${quote(hosts)}`, "-o", `StrictHostKeyChecking=${strict}`, ...(pin ? [PIN_OPTIONS] : []),
    ].join(" ");
    return await fn({ ...base, GIT_SSH_COMMAND: ssh });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function quote(path: string): string {
  return `'${path.replace(/'/g, `'\\''`)}'`;
}
