import { create } from "@bufbuild/protobuf";
import { ObjectResultSchema } from "@gitfleet/shared";
import { expect, it } from "vitest";
import { MAX_OBJECT_MESSAGE, MAX_STATUS_OBJECTS } from "../config/limits.js";
import { createObjectsEncoder } from "./objects-encoder.js";

const results = (message: string, n = 2) => Array.from({ length: n }, (_, i) => create(ObjectResultSchema, { ref: { kind: "ConfigMap", name: `cm-${i}` }, action: "configured", message }));

it("encodes equal results of a bundle once, and different ones of the same bundle anew", () => {
  const encode = createObjectsEncoder();
  const first = encode("d1", results(""));
  expect(encode("d1", results(""))).toBe(first);
  const failed = encode("d1", results("apply failed"));
  expect(JSON.parse(failed.json)).toEqual([0, 1].map((i) => ({ ref: { kind: "ConfigMap", name: `cm-${i}` }, action: "configured", message: "apply failed" })));
  expect(failed.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  expect(failed.digest).not.toBe(first.digest);
  expect(encode("d1", results("")).digest).toBe(first.digest);
  // The digest is the content's: another bundle with the same results names the same row.
  expect(createObjectsEncoder()("d2", results("")).digest).toBe(first.digest);
});

it("gives no digest for no objects (no StatusObjects row)", () => {
  expect(createObjectsEncoder()("d1", [])).toEqual({ json: "[]", digest: "" });
});

it("stores at most MAX_STATUS_OBJECTS results, messages capped", () => {
  const long = "x".repeat(MAX_OBJECT_MESSAGE + 100);
  const stored = JSON.parse(createObjectsEncoder()("d1", results(long, MAX_STATUS_OBJECTS + 3)).json) as { message: string }[];
  expect(stored).toHaveLength(MAX_STATUS_OBJECTS);
  expect(stored[0]!.message).toMatch(new RegExp(`^x{${MAX_OBJECT_MESSAGE}}… \\(truncated`));
});
