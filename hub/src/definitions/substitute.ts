import { VAR_NAME } from "../render/substitute.js";
import { FieldError, object } from "./fields.js";

/** `substitute: {tier: gold}`: App-defined variables; numbers and booleans are taken as their text. */
export function parseSubstitute(value: unknown, field: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(object(value, field))) {
    if (!VAR_NAME.test(k)) throw new FieldError(`${field}.${k}`, "want a variable name: letters, digits and _, not starting with a digit (cluster.name and cluster.labels.* are the hub's)");
    if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") throw new FieldError(`${field}.${k}`, "want a string, number or boolean");
    const text = String(v);
    // A value is inserted as is, never read again: a reference in it would be left half-done.
    if (text.includes("${")) throw new FieldError(`${field}.${k}`, "a value may not contain ${ (variables are not expanded in values)");
    out[k] = text;
  }
  return out;
}
