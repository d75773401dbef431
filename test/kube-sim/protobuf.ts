// Protobuf request bodies (application/vnd.kubernetes.protobuf), as kubectl's generators send them
// (`kubectl create namespace|configmap|secret|serviceaccount`): the "k8s\0" envelope holds a runtime.Unknown
// whose raw bytes are the object. Field numbers come from k8s.io/api's generated.proto for the kinds below;
// any other kind, and any field not listed, is refused so that nothing is silently dropped.
import { readFields, type Field } from "./protowire.js";

type Scalar = "string" | "bytes" | "bool" | "int" | "time";
type Kind = Scalar | { msg: Schema } | { map: "string" | "bytes" } | { repeated: "string" };
/** field number -> [JSON name, kind, pointer?]; a pointer field is kept when zero, others are omitted like `omitempty` */
type Schema = Record<number, [string, Kind, boolean?]>;

const TIME: Schema = { 1: ["seconds", "int"], 2: ["nanos", "int"] };
const OBJECT_META: Schema = {
  1: ["name", "string"], 2: ["generateName", "string"], 3: ["namespace", "string"], 4: ["selfLink", "string"],
  5: ["uid", "string"], 6: ["resourceVersion", "string"], 7: ["generation", "int"], 8: ["creationTimestamp", "time"],
  9: ["deletionTimestamp", "time"], 10: ["deletionGracePeriodSeconds", "int", true], 11: ["labels", { map: "string" }],
  12: ["annotations", { map: "string" }], 14: ["finalizers", { repeated: "string" }],
};
const META: [string, Kind] = ["metadata", { msg: OBJECT_META }];
const LOCAL_REF: Schema = { 1: ["name", "string"] };

const KINDS: Record<string, Schema> = {
  "v1/Namespace": { 1: META, 2: ["spec", { msg: { 1: ["finalizers", { repeated: "string" }] } }], 3: ["status", { msg: { 1: ["phase", "string"] } }] },
  "v1/ConfigMap": { 1: META, 2: ["data", { map: "string" }], 3: ["binaryData", { map: "bytes" }], 4: ["immutable", "bool", true] },
  "v1/Secret": { 1: META, 2: ["data", { map: "bytes" }], 3: ["type", "string"], 4: ["stringData", { map: "string" }], 5: ["immutable", "bool", true] },
  "v1/ServiceAccount": { 1: META, 3: ["imagePullSecrets", { msg: LOCAL_REF }], 4: ["automountServiceAccountToken", "bool", true] },
};
/** repeated message fields (the schema table marks messages; these occur more than once) */
const REPEATED_MSG = new Set(["imagePullSecrets"]);

export class ProtobufError extends Error {}

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** the JSON object carried by a protobuf body; throws ProtobufError for what cannot be decoded faithfully */
export function decodeProtobufObject(body: Buffer): Record<string, unknown> {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) throw new ProtobufError("missing the k8s protobuf envelope");
  const unknown = fieldsOf(body.subarray(4));
  const typeMeta = fieldsOf(bytesOf(unknown.get(1)?.[0]) ?? Buffer.alloc(0));
  const apiVersion = str(typeMeta.get(1)?.[0]);
  const kind = str(typeMeta.get(2)?.[0]);
  const encoding = str(unknown.get(3)?.[0]);
  if (encoding) throw new ProtobufError(`content encoding ${encoding} is not supported`);
  const schema = KINDS[`${apiVersion}/${kind}`];
  if (!schema) throw new ProtobufError(`kube-sim decodes protobuf only for ${Object.keys(KINDS).join(", ")}, not ${apiVersion}/${kind}`);
  return { apiVersion, kind, ...decode(schema, bytesOf(unknown.get(2)?.[0]) ?? Buffer.alloc(0), kind) };
}

function fieldsOf(buf: Uint8Array): Map<number, Field[]> {
  let fields: Field[];
  try { fields = readFields(buf); } catch (e) { throw new ProtobufError((e as Error).message); }
  const m = new Map<number, Field[]>();
  for (const f of fields) m.set(f.no, [...(m.get(f.no) ?? []), f]);
  return m;
}

const bytesOf = (f: Field | undefined): Uint8Array | undefined => (f && f.wire === 2 ? (f.value as Uint8Array) : undefined);
const str = (f: Field | undefined): string => Buffer.from(bytesOf(f) ?? []).toString("utf8");

function decode(schema: Schema, buf: Uint8Array, where: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [no, fields] of fieldsOf(buf)) {
    const spec = schema[no];
    if (!spec) throw new ProtobufError(`field ${no} of ${where} is not supported`);
    const [name, kind, pointer] = spec;
    const v = value(kind, fields, `${where}.${name}`, name);
    const empty = v === undefined || v === "" || v === 0 || v === false || (typeof v === "object" && v !== null && Object.keys(v).length === 0);
    if (!empty || (pointer && v !== undefined)) out[name] = v;
  }
  return out;
}

function value(kind: Kind, fields: Field[], where: string, name: string): unknown {
  const last = fields[fields.length - 1]!;
  if (kind === "string") return str(last);
  if (kind === "bytes") return Buffer.from(bytesOf(last) ?? []).toString("base64");
  if (kind === "bool") return last.value === 1n;
  if (kind === "int") return Number(BigInt.asIntN(64, last.value as bigint));
  if (kind === "time") {
    const t = decode(TIME, bytesOf(last) ?? Buffer.alloc(0), where);
    return t.seconds === undefined ? undefined : new Date(Number(t.seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
  }
  if ("repeated" in kind) return fields.map(str);
  if ("map" in kind) {
    return Object.fromEntries(fields.map((f) => {
      const e = fieldsOf(bytesOf(f) ?? Buffer.alloc(0));
      return [str(e.get(1)?.[0]), kind.map === "bytes" ? Buffer.from(bytesOf(e.get(2)?.[0]) ?? []).toString("base64") : str(e.get(2)?.[0])];
    }));
  }
  const items = fields.map((f) => decode(kind.msg, bytesOf(f) ?? Buffer.alloc(0), where));
  return REPEATED_MSG.has(name) ? items : items[items.length - 1];
}
