/** Prints rows as an aligned table, kubectl style (upper-case headers, two spaces between columns). */
export function printTable(headers: string[], rows: string[][]): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd();
  console.log(line(headers));
  for (const r of rows) console.log(line(r));
}

export function printJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}

export function ago(date: Date | undefined, now = Date.now()): string {
  if (!date) return "never";
  const s = Math.max(0, Math.round((now - date.getTime()) / 1000));
  if (s < 120) return `${s}s ago`;
  if (s < 7200) return `${Math.round(s / 60)}m ago`;
  if (s < 172800) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86400)}d ago`;
}

/** "Key:   value" lines, aligned, for `show` commands. */
export function printKeyValues(rows: [string, string][]): void {
  const width = Math.max(...rows.map(([k]) => k.length)) + 2;
  for (const [k, v] of rows) console.log(`${(k + ":").padEnd(width)}${v}`);
}
