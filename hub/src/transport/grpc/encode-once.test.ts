import { fromBinary } from "@bufbuild/protobuf";
import { ConnectResponseSchema } from "@gitfleet/shared";
import { describe, expect, it } from "vitest";
import { encodeOnce } from "./encode-once.js";

const set = (digest: string) => ({ msg: { case: "assignments" as const, value: { assignments: [{ app: "web", target: "prod", revision: "abc", bundleDigest: digest }], generation: 3n } } });

describe("encodeOnce", () => {
  it("writes one message object as the same bytes each time, and those bytes decode to it", () => {
    const encode = encodeOnce(ConnectResponseSchema);
    const msg = set("sha256:1");
    const bytes = encode(msg);
    expect(encode(msg)).toBe(bytes);
    const decoded = fromBinary(ConnectResponseSchema, bytes);
    expect(decoded.msg.case).toBe("assignments");
    expect(decoded.msg.case === "assignments" && decoded.msg.value.assignments[0]!.bundleDigest).toBe("sha256:1");
    expect(decoded.msg.case === "assignments" && decoded.msg.value.generation).toBe(3n);
  });

  it("encodes each other object on its own: content is never taken from another message", () => {
    const encode = encodeOnce(ConnectResponseSchema);
    const first = encode(set("sha256:1"));
    const second = encode(set("sha256:2"));
    expect(second).not.toBe(first);
    const decoded = fromBinary(ConnectResponseSchema, second);
    expect(decoded.msg.case === "assignments" && decoded.msg.value.assignments[0]!.bundleDigest).toBe("sha256:2");
  });
});
