import { create, equals, fromBinary, toBinary, type MessageInitShape } from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { ConnectRequestSchema, HealthState, ObjectResultSchema, SyncState, type ConnectRequest } from "@gitfleet/shared";
import { describe, expect, it } from "vitest";
import { createConnectDecoder } from "./connect-decoder.js";

type Init = MessageInitShape<typeof ConnectRequestSchema>;
const objects = (health: string, n = 3) => Array.from({ length: n }, (_, i) => ({ ref: { apiVersion: "v1", kind: "ConfigMap", namespace: "ns", name: `cm-${i}` }, action: "configured", health, message: i === 1 ? "ünïcode" : "" }));
const status = (app: string, digest: string, health: HealthState, objs = objects("Current")) => ({ app, revision: "abc", bundleDigest: digest, sync: SyncState.SYNCED, health, objects: objs, message: "m", observedAt: timestampFromDate(new Date(1_700_000_000_000)) });
const encode = (init: Init) => toBinary(ConnectRequestSchema, create(ConnectRequestSchema, init));
const report = (...apps: ReturnType<typeof status>[]): Init => ({ msg: { case: "status", value: { apps } } });
const statusOf = (m: ConnectRequest) => (m.msg.case === "status" ? m.msg.value.apps : []);

/** Decodes with the hub's decoder and checks it equals the plain fromBinary. */
function decodeSame(decode: (b: Uint8Array) => ConnectRequest, bytes: Uint8Array): ConnectRequest {
  const fast = decode(bytes);
  expect(equals(ConnectRequestSchema, fast, fromBinary(ConnectRequestSchema, bytes))).toBe(true);
  return fast;
}

describe("createConnectDecoder", () => {
  it("decodes status reports as fromBinary does, sharing objects byte for byte equal on the same bundle", () => {
    const decode = createConnectDecoder();
    const a = decodeSame(decode, encode(report(status("web", "d1", HealthState.PROGRESSING), status("api", "d2", HealthState.HEALTHY, objects("InProgress", 5)))));
    const b = decodeSame(decode, encode(report(status("web", "d1", HealthState.HEALTHY))));
    expect(statusOf(b)[0]!.objects).toBe(statusOf(a)[0]!.objects);
    // Shared, so frozen to the leaves: a consumer changing them would change the other reports.
    expect(() => statusOf(b)[0]!.objects.pop()).toThrow(TypeError);
    expect(() => { statusOf(b)[0]!.objects[0]!.ref!.name = "changed"; }).toThrow(TypeError);
    // Another bundle, or the same bundle with other results, is decoded on its own.
    const c = decodeSame(decode, encode(report(status("web", "d3", HealthState.HEALTHY))));
    const d = decodeSame(decode, encode(report(status("web", "d1", HealthState.HEALTHY, objects("Failed")))));
    expect(statusOf(c)[0]!.objects).not.toBe(statusOf(a)[0]!.objects);
    expect(statusOf(d)[0]!.objects).not.toBe(statusOf(a)[0]!.objects);
    expect(statusOf(d)[0]!.objects[0]!.health).toBe("Failed");
  });

  it("decodes statuses without objects, empty reports and the other messages as fromBinary does", () => {
    const decode = createConnectDecoder();
    decodeSame(decode, encode(report(status("web", "d1", HealthState.HEALTHY, []))));
    decodeSame(decode, encode(report()));
    decodeSame(decode, encode({ msg: { case: "heartbeat", value: {} } }));
    decodeSame(decode, encode({ msg: { case: "hello", value: { agentVersion: "1.0", kubernetesVersion: "v1.33.0" } } }));
    decodeSame(decode, encode({ msg: { case: "drift", value: { apps: ["web"], events: [{ app: "web", fields: [{ path: "data.x", desired: "1", live: "2" }] }] } } }));
    decodeSame(decode, new Uint8Array());
  });

  it("decodes objects that are not one run, and unknown fields, as fromBinary does", () => {
    const decode = createConnectDecoder();
    const object = (name: string) => toBinary(ObjectResultSchema, create(ObjectResultSchema, { ref: { kind: "ConfigMap", name }, health: "Current" }));
    // AppStatus with its message (7) between two objects (6), then an unknown field 99.
    const app = new BinaryWriter().tag(1, WireType.LengthDelimited).string("web").tag(3, WireType.LengthDelimited).string("d1")
      .tag(6, WireType.LengthDelimited).bytes(object("a")).tag(7, WireType.LengthDelimited).string("between")
      .tag(6, WireType.LengthDelimited).bytes(object("b")).tag(99, WireType.Varint).uint32(7).finish();
    const reportBytes = new BinaryWriter().tag(1, WireType.LengthDelimited).bytes(app).finish();
    const split = decodeSame(decode, new BinaryWriter().tag(3, WireType.LengthDelimited).bytes(reportBytes).finish());
    expect(statusOf(split)[0]!.objects.map((o) => o.ref?.name)).toEqual(["a", "b"]);
    // An unknown field beside the report, and one inside it.
    decodeSame(decode, new BinaryWriter().tag(3, WireType.LengthDelimited).bytes(reportBytes).tag(50, WireType.Varint).uint32(1).finish());
    decodeSame(decode, new BinaryWriter().tag(3, WireType.LengthDelimited).bytes(new BinaryWriter().tag(1, WireType.LengthDelimited).bytes(app).tag(9, WireType.Varint).uint32(1).finish()).finish());
  });

  it("fails on malformed bytes as fromBinary does", () => {
    const decode = createConnectDecoder();
    const good = encode(report(status("web", "d1", HealthState.HEALTHY)));
    const cut = good.subarray(0, good.length - 5);
    expect(() => fromBinary(ConnectRequestSchema, cut)).toThrow();
    expect(() => decode(cut)).toThrow();
    // An object whose length runs past its AppStatus: fromBinary's own error, not a bad slice.
    const app = new BinaryWriter().tag(3, WireType.LengthDelimited).string("d1").tag(6, WireType.LengthDelimited).uint32(200).raw(new Uint8Array(5)).finish();
    const bytes = new BinaryWriter().tag(3, WireType.LengthDelimited).bytes(new BinaryWriter().tag(1, WireType.LengthDelimited).bytes(app).finish()).finish();
    const plain = (() => { try { fromBinary(ConnectRequestSchema, bytes); } catch (err) { return (err as Error).message; } })();
    expect(plain).toBeDefined();
    expect(() => decode(bytes)).toThrow(plain!);
  });
});
