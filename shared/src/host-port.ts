/** "HOST:PORT" of a listen flag (host may be empty: all interfaces); port 0 picks a free one. */
export function splitHostPort(value: string, flag: string): { host: string; port: number } {
  const m = /^(.*):(\d+)$/.exec(value);
  if (!m || Number(m[2]) > 65535) throw new Error(`${flag} must be HOST:PORT (e.g. 127.0.0.1:7443), got "${value}"`);
  return { host: m[1] || "0.0.0.0", port: Number(m[2]) };
}
