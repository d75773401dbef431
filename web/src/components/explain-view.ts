import type { ExplainAppResponse } from "@gitfleet/shared/proto";

/** One line of an explanation: a target's verdict (with the labels behind it), a blocker, or the conclusion. */
export type ExplainLine = { text: string; reason?: string; blocker?: true };

/** Each target's selector against the cluster, then what holds delivery back, or that nothing does. */
export function explainLines(e: Pick<ExplainAppResponse, "targets" | "blockers">): ExplainLine[] {
  const lines: ExplainLine[] = e.targets.map((t) => ({ text: `target ${t.target}: ${t.matched ? "selects this cluster" : "does not select it"}`, ...(t.reason ? { reason: t.reason } : {}) }));
  const matched = e.targets.some((t) => t.matched);
  if (!matched) lines.push({ text: "not here: no target selects this cluster" });
  lines.push(...e.blockers.map((b): ExplainLine => ({ text: b, blocker: true })));
  if (matched && e.blockers.length === 0) lines.push({ text: "runs the desired revision" });
  return lines;
}
