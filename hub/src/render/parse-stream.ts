import { isKubeObject, type KubeObject } from "@gitfleet/shared/manifest";
import { LineCounter, parseAllDocuments } from "yaml";
import type { RenderProblem } from "./errors.js";

/** A parsed object and where it came from, for error messages. */
export type Located = { object: KubeObject; file: string; line: number; document: number };

/**
 * Parses a multi-document YAML (or JSON) text into Kubernetes objects, skipping empty
 * documents and flattening `kind: List`. Problems are collected, not thrown, so one render
 * reports every broken file at once.
 */
export function parseStream(text: string, file: string, problems: RenderProblem[]): Located[] {
  const lineCounter = new LineCounter();
  const out: Located[] = [];
  parseAllDocuments(text, { lineCounter }).forEach((doc, i) => {
    const document = i + 1;
    // The first line of content, not the "---" before it.
    const line = lineCounter.linePos(doc.contents?.range?.[0] ?? doc.range[0]).line;
    if (doc.errors.length > 0) {
      // Later errors in a document are usually knock-on effects of the first.
      const err = doc.errors[0]!;
      problems.push({ file, line: err.linePos?.[0].line ?? line, document, message: `YAML syntax: ${describe(err.message)}` });
      return;
    }
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) return;
    const items = isList(value) ? value.items : [value];
    for (const item of items) {
      const missing = missingFields(item);
      if (missing.length > 0) problems.push({ file, line, document, message: `missing ${missing.join(", ")}` });
      else out.push({ object: item as KubeObject, file, line, document });
    }
  });
  return out;
}

function isList(v: unknown): v is { items: unknown[] } {
  const o = v as { kind?: unknown; items?: unknown };
  return typeof v === "object" && v !== null && o.kind === "List" && Array.isArray(o.items);
}

function missingFields(v: unknown): string[] {
  if (isKubeObject(v)) return [];
  if (typeof v !== "object" || v === null || Array.isArray(v)) return ["apiVersion, kind, metadata.name (not an object)"];
  const o = v as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } };
  const str = (x: unknown) => typeof x === "string" && x !== "";
  return [
    str(o.apiVersion) ? "" : "apiVersion",
    str(o.kind) ? "" : "kind",
    str(o.metadata?.name) ? "" : str((o.metadata as { generateName?: unknown })?.generateName) ? "metadata.name (generateName is not enough: server-side apply needs a fixed name)" : "metadata.name",
  ].filter(Boolean);
}

// yaml appends "at line N, column M:" and a code frame; the problem carries the line already.
function describe(message: string): string {
  return message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "").trim();
}
