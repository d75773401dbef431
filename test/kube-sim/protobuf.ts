// Protobuf request bodies (application/vnd.kubernetes.protobuf), as kubectl's generators send them
// (`kubectl create namespace|configmap|secret|serviceaccount|deployment|job|cronjob|service|role|rolebinding…`):
// the "k8s\0" envelope holds a runtime.Unknown whose raw bytes are the object. Field numbers come from
// k8s.io/api's generated.proto (checked against kubectl's own encodings). A field missing from these tables is
// refused unless it carries only zero values (gogo-protobuf writes every non-pointer field), so nothing set is lost.
import { readFields, type Field } from "./protowire.js";

type Scalar = "string" | "bytes" | "bool" | "int" | "time" | "intOrString";
type Kind = Scalar | { msg: Schema } | { list: Schema } | { map: "string" | "bytes" } | { repeated: "string" };
/** field number -> [JSON name, kind, pointer?]; a pointer field is kept when zero, others are omitted like `omitempty` */
type Schema = Record<number, [string, Kind, boolean?]>;

const strings = { repeated: "string" } as const;
const TIME: Schema = { 1: ["seconds", "int"], 2: ["nanos", "int"] };
const INT_OR_STRING: Schema = { 1: ["type", "int"], 2: ["intVal", "int"], 3: ["strVal", "string"] };
const OBJECT_META: Schema = {
  1: ["name", "string"], 2: ["generateName", "string"], 3: ["namespace", "string"], 4: ["selfLink", "string"],
  5: ["uid", "string"], 6: ["resourceVersion", "string"], 7: ["generation", "int"], 8: ["creationTimestamp", "time"],
  9: ["deletionTimestamp", "time"], 10: ["deletionGracePeriodSeconds", "int", true], 11: ["labels", { map: "string" }],
  12: ["annotations", { map: "string" }], 14: ["finalizers", strings],
};
const META: [string, Kind] = ["metadata", { msg: OBJECT_META }];
const LOCAL_REF: Schema = { 1: ["name", "string"] };
const LABEL_SELECTOR: Schema = {
  1: ["matchLabels", { map: "string" }],
  2: ["matchExpressions", { list: { 1: ["key", "string"], 2: ["operator", "string"], 3: ["values", strings] } }],
};
const CONTAINER: Schema = {
  1: ["name", "string"], 2: ["image", "string"], 3: ["command", strings], 4: ["args", strings], 5: ["workingDir", "string"],
  6: ["ports", { list: { 1: ["name", "string"], 2: ["hostPort", "int"], 3: ["containerPort", "int"], 4: ["protocol", "string"], 5: ["hostIP", "string"] } }],
  7: ["env", { list: { 1: ["name", "string"], 2: ["value", "string"] } }],
  13: ["terminationMessagePath", "string"], 14: ["imagePullPolicy", "string"], 16: ["stdin", "bool"], 17: ["stdinOnce", "bool"],
  18: ["tty", "bool"], 20: ["terminationMessagePolicy", "string"],
};
const POD_SPEC: Schema = {
  2: ["containers", { list: CONTAINER }], 3: ["restartPolicy", "string"], 4: ["terminationGracePeriodSeconds", "int", true],
  6: ["dnsPolicy", "string"], 7: ["nodeSelector", { map: "string" }], 8: ["serviceAccountName", "string"],
  9: ["serviceAccount", "string"], 10: ["nodeName", "string"], 11: ["hostNetwork", "bool"], 12: ["hostPID", "bool"],
  13: ["hostIPC", "bool"], 15: ["imagePullSecrets", { list: LOCAL_REF }], 16: ["hostname", "string"], 17: ["subdomain", "string"],
  19: ["schedulerName", "string"], 20: ["initContainers", { list: CONTAINER }], 24: ["priorityClassName", "string"],
};
const POD_TEMPLATE: Schema = { 1: META, 2: ["spec", { msg: POD_SPEC }] };
const JOB_SPEC: Schema = {
  1: ["parallelism", "int", true], 2: ["completions", "int", true], 3: ["activeDeadlineSeconds", "int", true],
  4: ["selector", { msg: LABEL_SELECTOR }], 5: ["manualSelector", "bool", true], 6: ["template", { msg: POD_TEMPLATE }],
  7: ["backoffLimit", "int", true], 8: ["ttlSecondsAfterFinished", "int", true], 9: ["completionMode", "string", true],
  10: ["suspend", "bool", true],
};
const POLICY_RULE: Schema = { 1: ["verbs", strings], 2: ["apiGroups", strings], 3: ["resources", strings], 4: ["resourceNames", strings], 5: ["nonResourceURLs", strings] };
const BINDING: Schema = {
  1: META,
  2: ["subjects", { list: { 1: ["kind", "string"], 2: ["apiGroup", "string"], 3: ["name", "string"], 4: ["namespace", "string"] } }],
  3: ["roleRef", { msg: { 1: ["apiGroup", "string"], 2: ["kind", "string"], 3: ["name", "string"] } }],
};
const RBAC = "rbac.authorization.k8s.io/v1";

const KINDS: Record<string, Schema> = {
  "v1/Namespace": { 1: META, 2: ["spec", { msg: { 1: ["finalizers", strings] } }] },
  "v1/ConfigMap": { 1: META, 2: ["data", { map: "string" }], 3: ["binaryData", { map: "bytes" }], 4: ["immutable", "bool", true] },
  "v1/Secret": { 1: META, 2: ["data", { map: "bytes" }], 3: ["type", "string"], 4: ["stringData", { map: "string" }], 5: ["immutable", "bool", true] },
  "v1/ServiceAccount": { 1: META, 3: ["imagePullSecrets", { list: LOCAL_REF }], 4: ["automountServiceAccountToken", "bool", true] },
  "v1/Service": {
    1: META,
    2: ["spec", { msg: {
      1: ["ports", { list: { 1: ["name", "string"], 2: ["protocol", "string"], 3: ["port", "int"], 4: ["targetPort", "intOrString"], 5: ["nodePort", "int"], 6: ["appProtocol", "string", true] } }],
      2: ["selector", { map: "string" }], 3: ["clusterIP", "string"], 4: ["type", "string"], 5: ["externalIPs", strings],
      7: ["sessionAffinity", "string"], 8: ["loadBalancerIP", "string"], 10: ["externalName", "string"], 11: ["externalTrafficPolicy", "string"],
    } }],
  },
  "apps/v1/Deployment": {
    1: META,
    2: ["spec", { msg: {
      1: ["replicas", "int", true], 2: ["selector", { msg: LABEL_SELECTOR }], 3: ["template", { msg: POD_TEMPLATE }],
      4: ["strategy", { msg: { 1: ["type", "string"] } }], 5: ["minReadySeconds", "int"], 6: ["revisionHistoryLimit", "int", true],
      7: ["paused", "bool"], 9: ["progressDeadlineSeconds", "int", true],
    } }],
  },
  "batch/v1/Job": { 1: META, 2: ["spec", { msg: JOB_SPEC }] },
  "batch/v1/CronJob": {
    1: META,
    2: ["spec", { msg: {
      1: ["schedule", "string"], 2: ["startingDeadlineSeconds", "int", true], 3: ["concurrencyPolicy", "string"], 4: ["suspend", "bool", true],
      5: ["jobTemplate", { msg: { 1: META, 2: ["spec", { msg: JOB_SPEC }] } }], 6: ["successfulJobsHistoryLimit", "int", true],
      7: ["failedJobsHistoryLimit", "int", true], 8: ["timeZone", "string", true],
    } }],
  },
  [`${RBAC}/Role`]: { 1: META, 2: ["rules", { list: POLICY_RULE }] },
  [`${RBAC}/ClusterRole`]: { 1: META, 2: ["rules", { list: POLICY_RULE }] },
  [`${RBAC}/RoleBinding`]: BINDING,
  [`${RBAC}/ClusterRoleBinding`]: BINDING,
};

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

/** a zero scalar, or an empty string or message, or a message of zero fields only (nesting bounded: bodies are untrusted) */
function isZero(f: Field, depth = 0): boolean {
  if (f.wire === 0) return f.value === 0n;
  if (f.wire !== 2) return (f.value as Uint8Array).every((b) => b === 0);
  const b = f.value as Uint8Array;
  if (b.length === 0) return true;
  if (depth > 32) return false;
  try { return readFields(b).every((x) => isZero(x, depth + 1)); } catch { return false; }
}

const bytesOf = (f: Field | undefined): Uint8Array | undefined => (f && f.wire === 2 ? (f.value as Uint8Array) : undefined);
const str = (f: Field | undefined): string => Buffer.from(bytesOf(f) ?? []).toString("utf8");

function decode(schema: Schema, buf: Uint8Array, where: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [no, fields] of fieldsOf(buf)) {
    const spec = schema[no];
    if (!spec) {
      if (fields.every((f) => isZero(f))) continue;
      throw new ProtobufError(`field ${no} of ${where} is not supported`);
    }
    const [name, kind, pointer] = spec;
    const v = value(kind, fields, `${where}.${name}`);
    const empty = v === undefined || v === "" || v === 0 || v === false || (typeof v === "object" && v !== null && Object.keys(v).length === 0);
    if (!empty || (pointer && v !== undefined)) out[name] = v;
  }
  return out;
}

function value(kind: Kind, fields: Field[], where: string): unknown {
  const last = fields[fields.length - 1]!;
  if (kind === "string") return str(last);
  if (kind === "bytes") return Buffer.from(bytesOf(last) ?? []).toString("base64");
  if (kind === "bool") return last.value === 1n;
  if (kind === "int") return Number(BigInt.asIntN(64, last.value as bigint));
  if (kind === "time") {
    const t = decode(TIME, bytesOf(last) ?? Buffer.alloc(0), where);
    return t.seconds === undefined ? undefined : new Date(Number(t.seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
  }
  if (kind === "intOrString") {
    const v = decode(INT_OR_STRING, bytesOf(last) ?? Buffer.alloc(0), where);
    return v.type === 1 ? v.strVal ?? "" : v.intVal ?? 0;
  }
  if ("repeated" in kind) return fields.map(str);
  if ("list" in kind) return fields.map((f) => decode(kind.list, bytesOf(f) ?? Buffer.alloc(0), where));
  if ("map" in kind) {
    return Object.fromEntries(fields.map((f) => {
      const e = fieldsOf(bytesOf(f) ?? Buffer.alloc(0));
      return [str(e.get(1)?.[0]), kind.map === "bytes" ? Buffer.from(bytesOf(e.get(2)?.[0]) ?? []).toString("base64") : str(e.get(2)?.[0])];
    }));
  }
  return decode(kind.msg, bytesOf(last) ?? Buffer.alloc(0), where);
}
