import { LabelError, validateLabel, validateName, type Labels } from "@gitfleet/shared";

/** One invalid field; `field` is a dotted path from the document root, e.g. spec.targets[0].name. */
export class FieldError extends Error {
  override name = "FieldError";
  constructor(readonly field: string, message: string) {
    super(message);
  }
}

export type Obj = Record<string, unknown>;

export function object(value: unknown, field: string): Obj {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new FieldError(field, "want a mapping");
  return value as Obj;
}

export function onlyKeys(obj: Obj, allowed: readonly string[], field: string): void {
  const extra = Object.keys(obj).find((k) => !allowed.includes(k));
  if (extra) throw new FieldError(`${field}.${extra}`, `unknown field (allowed: ${allowed.join(", ")})`);
}

export function string(value: unknown, field: string): string {
  if (typeof value !== "string" || value === "") throw new FieldError(field, "want a non-empty string");
  return value;
}

export function optionalString(value: unknown, field: string): string | undefined {
  return value === undefined ? undefined : string(value, field);
}

export function boolean(value: unknown, field: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw new FieldError(field, "want true or false");
  return value;
}

export function list(value: unknown, field: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new FieldError(field, "want a list");
  return value;
}

export function name(value: unknown, field: string, kind: string): string {
  const text = string(value, field);
  try {
    validateName(kind, text);
  } catch (err) {
    throw new FieldError(field, (err as Error).message);
  }
  return text;
}

export function labels(value: unknown, field: string): Labels {
  const out: Labels = {};
  for (const [k, v] of Object.entries(object(value, field))) {
    if (typeof v !== "string") throw new FieldError(`${field}.${k}`, "want a string value");
    try {
      validateLabel(k, v);
    } catch (err) {
      throw new FieldError(`${field}.${k}`, (err as LabelError).message);
    }
    out[k] = v;
  }
  return out;
}

/** A path inside the repository: relative, without "..", so it cannot leave the checkout. */
export function repoPath(value: unknown, field: string): string {
  const text = string(value, field).replace(/\/+$/, "") || ".";
  if (text.startsWith("/") || text.split("/").includes("..")) throw new FieldError(field, "want a relative path inside the repository, without ..");
  return text;
}
