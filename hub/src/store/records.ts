// Stored JSON columns are parsed and validated here, once, on the way out of the database:
// domain code gets typed records and never re-parses a column with a cast.

/** A row whose stored JSON no longer parses or validates (hand-edited database, bad migration). */
export class CorruptRecordError extends Error {
  override name = "CorruptRecordError";
  constructor(what: string, column: string, cause: unknown) {
    const { field, message } = (cause ?? {}) as { field?: string; message?: string };
    super(`stored ${what}: column ${column} is not valid: ${field ? `${field}: ` : ""}${message ?? String(cause)}`, { cause });
  }
}

/** Parses a JSON column and checks it with the domain's own validator, naming the row on failure. */
export function decodeJson<T>(text: string, what: string, column: string, validate: (value: unknown) => T): T {
  try {
    return validate(JSON.parse(text));
  } catch (err) {
    throw new CorruptRecordError(what, column, err);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Validator for a JSON object of string values (labels). */
export function stringMap(v: unknown): Record<string, string> {
  if (!isRecord(v) || Object.values(v).some((x) => typeof x !== "string")) throw new Error("want an object of strings");
  return v as Record<string, string>;
}

/** Validator for a JSON object of string or null values (admin labels: null removes a key). */
export function nullableStringMap(v: unknown): Record<string, string | null> {
  if (!isRecord(v) || Object.values(v).some((x) => typeof x !== "string" && x !== null)) throw new Error("want an object of strings or nulls");
  return v as Record<string, string | null>;
}

/** Validator for a JSON array of strings. */
export function stringArray(v: unknown): string[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) throw new Error("want an array of strings");
  return v as string[];
}

/** Validator for a JSON array of objects (protobuf JSON of repeated messages, drift field lists). */
export function objectArray(v: unknown): Record<string, unknown>[] {
  if (!Array.isArray(v) || v.some((x) => !isRecord(x))) throw new Error("want an array of objects");
  return v as Record<string, unknown>[];
}

/** Validator for a JSON object (audit details). */
export function plainObject(v: unknown): Record<string, unknown> {
  if (!isRecord(v)) throw new Error("want an object");
  return v;
}
