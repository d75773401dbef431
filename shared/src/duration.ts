/** Durations as people write them in flags and YAML: "90s", "5m", "1h30m", "2d". */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export class DurationError extends Error {
  override name = "DurationError";
}

export function parseDuration(text: string, what = "duration"): number {
  const parts = [...text.trim().matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text.trim()) {
    throw new DurationError(`invalid ${what} "${text}": use a number with a unit, e.g. 30s, 5m, 1h, 1h30m, 2d`);
  }
  return parts.reduce((ms, p) => ms + Number(p[1]) * UNIT_MS[p[2]!]!, 0);
}
