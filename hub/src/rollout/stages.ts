import { selects, type ClusterFacts } from "../targeting/index.js";
import type { Strategy } from "./strategy.js";

/**
 * Each cluster's stage index. Stages pick in order from the clusters no earlier stage took:
 * by selector, by names, or the first `count` / `percent` (rounded up) of them by name; the
 * implicit last stage takes the rest. Clusters are ordered by name, so the split is stable.
 */
export function stageOf(strategy: Strategy, clusters: readonly ClusterFacts[]): Map<string, number> {
  let remaining = [...clusters].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out = new Map<string, number>();
  strategy.stages.forEach((stage, i) => {
    const sel = stage.select;
    let taken: ClusterFacts[];
    if ("selector" in sel) taken = remaining.filter((c) => selects({ clusterSelector: sel.selector }, c));
    else if ("names" in sel) taken = remaining.filter((c) => sel.names.includes(c.name));
    else if ("count" in sel) taken = remaining.slice(0, sel.count);
    else if ("percent" in sel) taken = remaining.slice(0, Math.ceil((remaining.length * sel.percent) / 100));
    else taken = remaining;
    for (const c of taken) out.set(c.name, i);
    const took = new Set(taken.map((c) => c.name));
    remaining = remaining.filter((c) => !took.has(c.name));
  });
  return out;
}
