// Decoding an apply patch body as kube-apiserver does: YAML (clients mostly send JSON, a subset),
// duplicate fields refused with fieldValidation=Strict, warned about otherwise (the last one wins).
import { parseDocument } from "yaml";
import { badRequest } from "./errors.js";

export interface DecodeCtx {
  fieldValidation?: string;
  warnings?: string[];
}

/** The body as an object; a body that is not YAML throws a plain Error for the caller to word. */
export function decodeApplyBody(raw: string, ctx: DecodeCtx): unknown {
  const { body, duplicates } = parse(raw);
  if (!duplicates.length) return body;
  // The API server's strict YAML decoder (sigs.k8s.io/yaml) words them so.
  if (ctx.fieldValidation === "Strict") {
    throw badRequest(`error strict decoding patch: error converting YAML to JSON: yaml: unmarshal errors:\n${duplicates.map((d) => `  ${d}`).join("\n")}`);
  }
  if (ctx.fieldValidation !== "Ignore") ctx.warnings?.push(...duplicates);
  return body;
}

function parse(raw: string): { body: unknown; duplicates: string[] } {
  if (raw.trimStart().startsWith("{")) {
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return parseYaml(raw); // YAML flow mappings also start with "{"
    }
    return { body, duplicates: duplicateJsonKeys(raw) };
  }
  return parseYaml(raw);
}

// JSON.parse is ~50x cheaper than a YAML parser, but keeps the last of duplicate keys silently.
function parseYaml(raw: string): { body: unknown; duplicates: string[] } {
  const doc = parseDocument(raw);
  const fatal = doc.errors.find((e) => e.code !== "DUPLICATE_KEY");
  if (fatal) throw fatal;
  const duplicates = doc.errors.map((e) => duplicate(e.linePos?.[0]?.line ?? 1, yamlKeyAt(raw, e.pos[0])));
  return { body: doc.toJS(), duplicates };
}

const duplicate = (line: number, key: string) => `line ${line}: key ${JSON.stringify(key)} already set in map`;

function yamlKeyAt(raw: string, at: number): string {
  const m = /^(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([^:,{}\s]+))/.exec(raw.slice(at));
  return m?.[1] ?? m?.[2] ?? m?.[3] ?? "";
}

/** Keys repeated within one object of valid JSON text, with their line. */
export function duplicateJsonKeys(text: string): string[] {
  const out: string[] = [];
  const scopes: (Set<string> | undefined)[] = []; // one per open object (a Set) or array (undefined)
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 123) scopes.push(new Set());
    else if (c === 91) scopes.push(undefined);
    else if (c === 125 || c === 93) scopes.pop();
    else if (c === 34) {
      const end = closingQuote(text, i);
      const keys = scopes[scopes.length - 1];
      if (keys && nextNonSpace(text, end + 1) === 58) {
        const quoted = text.slice(i, end + 1);
        const key = quoted.includes("\\") ? (JSON.parse(quoted) as string) : quoted.slice(1, -1);
        if (keys.has(key)) out.push(duplicate(text.slice(0, i).split("\n").length, key));
        else keys.add(key);
      }
      i = end;
    }
  }
  return out;
}

/** The index of the quote closing the string that opens at `open` (an escaped quote does not close it). */
function closingQuote(text: string, open: number): number {
  let end = text.indexOf('"', open + 1);
  for (;;) {
    let backslashes = 0;
    while (text.charCodeAt(end - 1 - backslashes) === 92) backslashes++;
    if (backslashes % 2 === 0) return end;
    end = text.indexOf('"', end + 1);
  }
}

function nextNonSpace(text: string, from: number): number {
  let i = from;
  for (let c = text.charCodeAt(i); c === 32 || c === 9 || c === 10 || c === 13; c = text.charCodeAt(++i));
  return text.charCodeAt(i);
}
