// Status objects worded the way kube-apiserver words them (k8s.io/apimachinery/pkg/api/errors).
import type { ResourceType } from "./kinds.js";

export interface StatusCause { reason?: string; message?: string; field?: string; type?: string }

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly headers?: Record<string, string>,
    /** ListMeta of the Status (an expired continue token carries a fresh one) */
    readonly listMeta?: Record<string, unknown>,
  ) {
    super(message);
  }
  toStatus(): Record<string, unknown> {
    const s: Record<string, unknown> = {
      kind: "Status",
      apiVersion: "v1",
      metadata: this.listMeta ?? {},
      status: "Failure",
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details) s.details = this.details;
    return s;
  }
}

export function qualified(rt: ResourceType): string {
  return rt.group ? `${rt.plural}.${rt.group}` : rt.plural;
}

function details(rt: ResourceType, name: string): Record<string, unknown> {
  const d: Record<string, unknown> = { name, kind: rt.plural };
  if (rt.group) d.group = rt.group;
  return d;
}

export const notFound = (rt: ResourceType, name: string): ApiError =>
  new ApiError(404, "NotFound", `${qualified(rt)} "${name}" not found`, details(rt, name));

export const alreadyExists = (rt: ResourceType, name: string): ApiError =>
  new ApiError(409, "AlreadyExists", `${qualified(rt)} "${name}" already exists`, details(rt, name));

export const conflict = (rt: ResourceType, name: string, why: string): ApiError =>
  new ApiError(409, "Conflict", `Operation cannot be fulfilled on ${qualified(rt)} "${name}": ${why}`, details(rt, name));

export const staleRV = (rt: ResourceType, name: string): ApiError =>
  conflict(rt, name, "the object has been modified; please apply your changes to the latest version and try again");

export const badRequest = (msg: string): ApiError => new ApiError(400, "BadRequest", msg);

export const methodNotAllowed = (msg = "the server does not allow this method on the requested resource"): ApiError =>
  new ApiError(405, "MethodNotAllowed", msg);

export const unsupportedMediaType = (ct: string, accepted: string[]): ApiError =>
  new ApiError(415, "UnsupportedMediaType",
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(", ")}`,
    { causes: [{ reason: "UnexpectedServerResponse", message: ct }] });

export const gone = (msg: string): ApiError => new ApiError(410, "Expired", msg);

export const unauthorized = (): ApiError => new ApiError(401, "Unauthorized", "Unauthorized");

export const forbidden = (
  user: string, verb: string, rt: { plural: string; group: string }, namespace: string | undefined, name?: string,
): ApiError => {
  const where = namespace ? `in the namespace "${namespace}"` : "at the cluster scope";
  const d: Record<string, unknown> = { kind: rt.plural };
  if (name) d.name = name;
  if (rt.group) d.group = rt.group;
  const q = rt.group ? `${rt.plural}.${rt.group}` : rt.plural;
  const subject = name ? `${q} "${name}"` : q;
  return new ApiError(403, "Forbidden",
    `${subject} is forbidden: User "${user}" cannot ${verb} resource "${rt.plural}" in API group "${rt.group}" ${where}`, d);
};

export interface FieldError {
  type: "Required" | "Invalid" | "Forbidden" | "NotSupported" | "Duplicate";
  field: string;
  detail?: string;
  value?: unknown;
  /** the value as Go's %#v prints it, when that differs from its JSON */
  goValue?: string;
}

const causeReason: Record<FieldError["type"], string> = {
  Required: "FieldValueRequired", Invalid: "FieldValueInvalid", Forbidden: "FieldValueForbidden",
  NotSupported: "FieldValueNotSupported", Duplicate: "FieldValueDuplicate",
};

function fieldErrorText(e: FieldError): string {
  switch (e.type) {
    case "Required": return `Required value${e.detail ? `: ${e.detail}` : ""}`;
    case "Forbidden": return `Forbidden${e.detail ? `: ${e.detail}` : ""}`;
    default: {
      const label = e.type === "Invalid" ? "Invalid value" : e.type === "Duplicate" ? "Duplicate value" : "Unsupported value";
      return `${label}: ${e.goValue ?? JSON.stringify(e.value)}${e.detail ? `: ${e.detail}` : ""}`;
    }
  }
}

export function invalid(rt: ResourceType, name: string, errs: FieldError[]): ApiError {
  const causes = errs.map((e) => ({ reason: causeReason[e.type], message: fieldErrorText(e), field: e.field }));
  const text = errs.map((e) => `${e.field}: ${fieldErrorText(e)}`);
  const body = text.length === 1 ? text[0] : `[${text.join(", ")}]`;
  const gk = rt.group ? `${rt.kind}.${rt.group}` : rt.kind;
  const d: Record<string, unknown> = { name, kind: rt.kind, causes };
  if (rt.group) d.group = rt.group;
  return new ApiError(422, "Invalid", `${gk} "${name}" is invalid: ${body}`, d);
}

export function internal(err: unknown): ApiError {
  return new ApiError(500, "InternalError", `Internal error occurred: ${err instanceof Error ? err.message : String(err)}`);
}
