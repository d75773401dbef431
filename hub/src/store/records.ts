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
