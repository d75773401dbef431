import { parseAllDocuments } from "yaml";
import { parseAppSpec, type AppSpec } from "./app.js";
import { FieldError, name, object, onlyKeys } from "./fields.js";
import { parseSourceDef, type ParsedSource } from "./source.js";
import { HubError } from "../errors.js";
import { parseNotifierDef, type ParsedNotifier } from "./notifier.js";

export const API_VERSION = "gitfleet.dev/v1";

export type Definition =
  | ({ kind: "Source"; name: string; origin: string } & ParsedSource)
  | { kind: "App"; name: string; origin: string; spec: AppSpec }
  | ({ kind: "Notifier"; name: string; origin: string } & ParsedNotifier);

/** A YAML stream to validate, with where it came from (a file name, "stdin", a config repo path). */
export type DefinitionText = { yaml: string; origin: string };

/**
 * Parses and validates every document of every text before anything is stored, so a bad apply
 * changes nothing. All problems are reported at once, each naming origin, document, kind/name, field.
 */
export function parseDefinitions(texts: readonly DefinitionText[]): Definition[] {
  const defs: Definition[] = [];
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const { yaml, origin } of texts) {
    parseAllDocuments(yaml).forEach((doc, i) => {
      const where = `${origin}: document ${i + 1}`;
      if (doc.errors.length > 0) {
        const e = doc.errors[0]!;
        problems.push(`${where}: line ${e.linePos?.[0].line ?? "?"}: ${e.message.split("\n")[0]}`);
        return;
      }
      let value: unknown;
      try {
        value = doc.toJS({ maxAliasCount: 100 });
      } catch (err) {
        // yaml refuses alias bombs ("Excessive alias count indicates a resource exhaustion attack").
        problems.push(`${where}: ${(err as Error).message}`);
        return;
      }
      if (value === null || value === undefined) return;
      const def = parseDocument(value, origin, where, problems);
      if (!def) return;
      const id = `${def.kind}/${def.name}`;
      if (seen.has(id)) problems.push(`${where} (${id}): also defined in ${seen.get(id)}`);
      else defs.push(def);
      seen.set(id, where);
    });
  }
  if (problems.length > 0) throw new HubError("INVALID_ARGUMENT", `invalid definitions, nothing applied:\n${problems.join("\n")}`);
  return defs;
}

function parseDocument(value: unknown, origin: string, where: string, problems: string[]): Definition | undefined {
  let label = "";
  try {
    const doc = object(value, "(document)");
    const kind = doc.kind;
    const meta = object(doc.metadata, "metadata");
    label = ` (${String(kind)}/${typeof meta.name === "string" ? meta.name : "?"})`;
    if (doc.apiVersion !== API_VERSION) throw new FieldError("apiVersion", `want ${API_VERSION}`);
    onlyKeys(doc, ["apiVersion", "kind", "metadata", "spec"], "(document)");
    onlyKeys(meta, ["name", "labels", "annotations"], "metadata");
    if (kind === "Source") return { kind, name: name(meta.name, "metadata.name", "source"), origin, ...parseSourceDef(doc.spec) };
    if (kind === "App") {
      const app = name(meta.name, "metadata.name", "app");
      return { kind, name: app, origin, spec: parseAppSpec(doc.spec, app) };
    }
    if (kind === "Notifier") return { kind, name: name(meta.name, "metadata.name", "notifier"), origin, ...parseNotifierDef(doc.spec) };
    throw new FieldError("kind", "want Source, App or Notifier");
  } catch (err) {
    if (!(err instanceof FieldError)) throw err;
    problems.push(`${where}${label}: ${err.field}: ${err.message}`);
    return undefined;
  }
}
