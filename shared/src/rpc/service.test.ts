import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { expect, it } from "vitest";
import { AgentService, ConnectResponseSchema, GetBundleResponseSchema } from "../index.js";
import { serviceDefinition } from "./service.js";

it("tells a client the size of each response as received, and decodes it as before", () => {
  const seen: [string, number][] = [];
  const def = serviceDefinition(AgentService, (method, bytes) => seen.push([method, bytes]));
  const wire = Buffer.from(toBinary(GetBundleResponseSchema, create(GetBundleResponseSchema, { chunk: new Uint8Array([1, 2, 3]), gzip: true })));
  const decoded = def.getBundle!.responseDeserialize(wire) as { chunk: Uint8Array; gzip: boolean };
  expect(decoded.gzip).toBe(true);
  expect([...decoded.chunk]).toEqual([1, 2, 3]);
  expect(seen).toEqual([["GetBundle", wire.length]]);
  // Without a listener nothing is counted, and the plain decoder is used.
  expect(serviceDefinition(AgentService).getBundle!.responseDeserialize(wire)).toEqual(decoded);
});

it("serializes a message into a Buffer holding exactly its encoding", () => {
  const def = serviceDefinition(AgentService);
  const out = def.connect!.responseSerialize({ msg: { case: "sync", value: { apps: ["web", "api"] } } });
  expect(Buffer.isBuffer(out)).toBe(true);
  const back = fromBinary(ConnectResponseSchema, out);
  expect(back.msg.case === "sync" && back.msg.value.apps).toEqual(["web", "api"]);
  expect(out.length).toBe(toBinary(ConnectResponseSchema, back).length);
});
