/** "10m", "1h30m", "45s": durations the way the definitions write them. */
export function formatDurationMs(ms: number): string {
  const s = Math.round(ms / 1000);
  const parts: string[] = [];
  if (s >= 3600) parts.push(`${Math.floor(s / 3600)}h`);
  if (s % 3600 >= 60) parts.push(`${Math.floor((s % 3600) / 60)}m`);
  if (s % 60 || parts.length === 0) parts.push(`${s % 60}s`);
  return parts.join("");
}
