import { timestampDate, type Timestamp } from "@bufbuild/protobuf/wkt";
import type { ObjectRef } from "@gitfleet/shared/proto";

/** A commit SHA or digest cut to 7 digits; a chart revision (VERSION@sha256:…) shown as its version. */
export const short = (sha: string) => (/^[0-9a-f]+$/.test(sha) ? sha.slice(0, 7) : sha.replace(/@sha256:[0-9a-f]+$/, ""));

export function when(ts: Timestamp | undefined): string {
  return ts ? timestampDate(ts).toLocaleString() : "—";
}

/** A time as a `<time dateTime>` takes it (ISO 8601, UTC): exact for machines whatever the reader's locale. */
export const isoTime = (ts: Timestamp | undefined) => (ts ? timestampDate(ts).toISOString() : undefined);

export function ago(ts: Timestamp | undefined, now = Date.now()): string {
  if (!ts) return "—";
  const s = Math.max(0, Math.round((now - timestampDate(ts).getTime()) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)}m ago`;
  if (s < 86400) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86400)}d ago`;
}

export const objectName = (r: ObjectRef | undefined) => (r ? `${r.kind} ${r.namespace ? r.namespace + "/" : ""}${r.name}` : "?");

/** The word for n of a thing: "cluster" for 1, "clusters" for 0 or 3. */
export const plural = (n: number, word: string) => (n === 1 ? word : `${word}s`);
