import { OPERATORS, type ClusterSelector, type Requirement } from "./selector.js";

export class SelectorSyntaxError extends Error {
  override name = "SelectorSyntaxError";
}

// One requirement: "k=v", "k==v", "k!=v", "k in (a,b)", "k notin (a,b)", "k", "!k".
const TERM = /^\s*(?:(!)\s*([^\s=!,()]+)|([^\s=!,()]+)\s*(?:(==?|!=)\s*([^\s,()]*)|\s+(in|notin)\s*\(([^)]*)\))?)\s*$/;

/** Parses a kubectl-style label selector string into the structured form targets use. */
export function parseSelector(text: string): ClusterSelector {
  const sel: Required<ClusterSelector> = { matchLabels: {}, matchExpressions: [] };
  for (const term of splitTerms(text)) {
    const m = TERM.exec(term);
    if (!m) throw new SelectorSyntaxError(`invalid label selector term "${term.trim()}": use k=v, k!=v, k in (a,b), k notin (a,b), k or !k`);
    const [, not, notKey, key, op, value, setOp, set] = m;
    const req = (operator: Requirement["operator"], values?: string[]): Requirement => ({ key: key ?? notKey!, operator, ...(values ? { values } : {}) });
    if (not) sel.matchExpressions.push(req("DoesNotExist"));
    else if (op === "=" || op === "==") sel.matchLabels[key!] = value!;
    else if (op === "!=") sel.matchExpressions.push(req("NotIn", [value!]));
    else if (setOp) sel.matchExpressions.push(req(setOp === "in" ? OPERATORS[0] : OPERATORS[1], set!.split(",").map((v) => v.trim()).filter(Boolean)));
    else sel.matchExpressions.push(req("Exists"));
  }
  return sel;
}

// Commas separate terms except inside the parentheses of a set.
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of text) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      terms.push(cur);
      cur = "";
    } else cur += ch;
  }
  if (cur.trim() || terms.length) terms.push(cur);
  return terms.filter((t) => t.trim() !== "");
}
