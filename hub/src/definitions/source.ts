import { REDACTED } from "@gitfleet/shared";
import { parseSourceSpec, splitCredentials, SourceSpecError, type GitCredentials, type RepoAuth, type SourceSpec } from "../sources/index.js";
import { FieldError, object, onlyKeys, optionalString, string, type Obj } from "./fields.js";

/** The secret parts of a Source: stored encrypted, never shown. */
export type SourceSecrets = { username?: string; password?: string; sshPrivateKey?: string; knownHosts?: string; webhookSecret?: string };

const SECRET_FIELDS = ["credentials", "webhookSecret"];

/** `shown` is the spec as stored and returned: URL without userinfo, secrets as "[redacted]". */
export type ParsedSource = { shown: Obj; spec: SourceSpec; secrets: SourceSecrets };

export function parseSourceDef(value: unknown): ParsedSource {
  const raw = object(value, "spec");
  const secrets: SourceSecrets = {};
  if (raw.credentials !== undefined) Object.assign(secrets, parseCredentials(raw.credentials));
  const webhookSecret = optionalString(raw.webhookSecret, "spec.webhookSecret");
  if (webhookSecret) secrets.webhookSecret = webhookSecret;
  const rest = Object.fromEntries(Object.entries(raw).filter(([k]) => !SECRET_FIELDS.includes(k)));
  let spec: SourceSpec;
  try {
    spec = parseSourceSpec(rest);
  } catch (err) {
    if (err instanceof SourceSpecError) throw new FieldError(`spec.${err.field}`, err.message.replace(/^source spec: [^:]+: /, ""));
    throw err;
  }
  if (spec.type === "helm" && secrets.sshPrivateKey) throw new FieldError("spec.credentials.sshPrivateKey", "a Helm repository takes username and password (basic auth) only");
  const { url, fromUrl } = splitCredentials(spec.url);
  if (fromUrl?.kind === "basic" && !secrets.password && !secrets.sshPrivateKey) {
    Object.assign(secrets, { password: fromUrl.password, ...(fromUrl.username ? { username: fromUrl.username } : {}) });
  }
  const shown: Obj = { ...rest, url };
  if (secrets.password || secrets.sshPrivateKey) shown.credentials = REDACTED;
  if (secrets.webhookSecret) shown.webhookSecret = REDACTED;
  return { shown, spec: { ...spec, url }, secrets };
}

/** The stored (shown) spec parsed back, for fetching. */
export function storedSourceSpec(shown: Obj): SourceSpec {
  return parseSourceSpec(Object.fromEntries(Object.entries(shown).filter(([k]) => !SECRET_FIELDS.includes(k))));
}

export function gitCredentials(s: SourceSecrets): GitCredentials | undefined {
  if (s.sshPrivateKey) return { kind: "ssh", privateKey: s.sshPrivateKey, ...(s.knownHosts ? { knownHosts: s.knownHosts } : {}) };
  if (s.password) return { kind: "basic", password: s.password, ...(s.username ? { username: s.username } : {}) };
  return undefined;
}

/** Basic auth for a Helm repository Source. */
export function repoAuth(s: SourceSecrets): RepoAuth | undefined {
  return s.password ? { password: s.password, ...(s.username ? { username: s.username } : {}) } : undefined;
}

function parseCredentials(value: unknown): SourceSecrets {
  const c = object(value, "spec.credentials");
  onlyKeys(c, ["username", "password", "sshPrivateKey", "knownHosts"], "spec.credentials");
  if (c.sshPrivateKey !== undefined) {
    if (c.password !== undefined || c.username !== undefined) throw new FieldError("spec.credentials", "set either username/password or sshPrivateKey, not both");
    const knownHosts = optionalString(c.knownHosts, "spec.credentials.knownHosts");
    return { sshPrivateKey: string(c.sshPrivateKey, "spec.credentials.sshPrivateKey"), ...(knownHosts ? { knownHosts } : {}) };
  }
  const username = optionalString(c.username, "spec.credentials.username");
  return { password: string(c.password, "spec.credentials.password"), ...(username ? { username } : {}) };
}
