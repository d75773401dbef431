import { create, fromBinary } from "@bufbuild/protobuf";
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import { deepFreeze } from "../../lib/deep-freeze.js";
import { AppStatusSchema, ConnectRequestSchema, StatusReportSchema, type AppStatus, type ConnectRequest, type ObjectResult } from "@gitfleet/shared";

// Field numbers (proto/gitfleet/v1): ConnectRequest.status, StatusReport.apps, AppStatus.bundle_digest and .objects.
const REQUEST_STATUS = 3;
const REPORT_APPS = 1;
const STATUS_DIGEST = 3;
const STATUS_OBJECTS = 6;
/** Encoded per-object results kept per bundle digest (its objects' health moves), and digests kept. */
const RUNS_PER_DIGEST = 4;
const DIGESTS = 64;

/**
 * The hub's decoder of Connect stream messages: fromBinary, except that a status report's
 * per-object results byte for byte equal to those of a recent report on the same bundle are not
 * decoded again but shared (the same ObjectResult array, which nobody may change). In a commit
 * thousands of agents report the same 50 objects twice each; decoding them was most of the hub's
 * allocation and a sixth of its CPU. Anything this does not expect (unknown fields around the
 * statuses, objects not in one run) is decoded the plain way.
 */
export function createConnectDecoder(): (bytes: Uint8Array) => ConnectRequest {
  const recent = new Map<string, { run: Uint8Array; objects: ObjectResult[] }[]>();

  function sharedObjects(digest: string, run: Uint8Array): ObjectResult[] {
    const runs = recent.get(digest) ?? [];
    const hit = runs.find((r) => Buffer.from(r.run.buffer, r.run.byteOffset, r.run.byteLength).equals(run));
    if (hit) return hit.objects;
    // The run holds only AppStatus.objects fields: decoded as an AppStatus, it is the objects alone.
    // Frozen: one report's consumer changing them would change every other report sharing them.
    const objects = deepFreeze(fromBinary(AppStatusSchema, run).objects);
    runs.unshift({ run: Uint8Array.from(run), objects });
    runs.length = Math.min(runs.length, RUNS_PER_DIGEST);
    recent.delete(digest);
    if (recent.size >= DIGESTS) recent.delete(recent.keys().next().value!);
    recent.set(digest, runs);
    return objects;
  }

  function appStatus(bytes: Uint8Array): AppStatus {
    let found: ReturnType<typeof objectsRun>;
    try {
      found = objectsRun(bytes);
    } catch {
      found = undefined;
    }
    if (!found) return fromBinary(AppStatusSchema, bytes);
    const rest = new Uint8Array(bytes.length - (found.end - found.start));
    rest.set(bytes.subarray(0, found.start));
    rest.set(bytes.subarray(found.end), found.start);
    const status = fromBinary(AppStatusSchema, rest);
    status.objects = sharedObjects(found.digest, bytes.subarray(found.start, found.end));
    return status;
  }

  return (bytes) => {
    let apps: Uint8Array[] | undefined;
    try {
      apps = statusPayloads(bytes);
    } catch {
      apps = undefined; // malformed: fromBinary says how
    }
    if (!apps) return fromBinary(ConnectRequestSchema, bytes);
    return create(ConnectRequestSchema, { msg: { case: "status", value: create(StatusReportSchema, { apps: apps.map(appStatus) }) } });
  };
}

/** The encoded AppStatuses of a ConnectRequest that is a StatusReport and nothing else; undefined for any other message. */
function statusPayloads(bytes: Uint8Array): Uint8Array[] | undefined {
  const req = new BinaryReader(bytes);
  if (req.len === 0) return undefined;
  const [no, wire] = req.tag();
  if (no !== REQUEST_STATUS || wire !== WireType.LengthDelimited) return undefined;
  const report = new BinaryReader(req.bytes());
  if (req.pos !== req.len) return undefined;
  const apps: Uint8Array[] = [];
  while (report.pos < report.len) {
    const [field, type] = report.tag();
    if (field !== REPORT_APPS || type !== WireType.LengthDelimited) return undefined;
    apps.push(report.bytes());
  }
  return apps;
}

/** Where an encoded AppStatus holds its objects, if in one run, and its bundle digest. */
function objectsRun(bytes: Uint8Array): { digest: string; start: number; end: number } | undefined {
  const r = new BinaryReader(bytes);
  let digest = "";
  let start = -1;
  let end = -1;
  while (r.pos < r.len) {
    const at = r.pos;
    const [no, wire] = r.tag();
    if (no === STATUS_OBJECTS && wire === WireType.LengthDelimited) {
      if (start === -1) start = at;
      else if (end !== at) return undefined;
      // Not r.skip(): it returns the skipped bytes as a new view, a million a commit at 10,000 clusters.
      const len = r.uint32();
      r.pos += len;
      if (r.pos > r.len) return undefined;
      end = r.pos;
    } else if (no === STATUS_DIGEST && wire === WireType.LengthDelimited) digest = r.string();
    else r.skip(wire, no);
  }
  return start === -1 ? undefined : { digest, start, end };
}
