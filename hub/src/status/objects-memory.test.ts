import { create } from "@bufbuild/protobuf";
import { ObjectResultSchema } from "@gitfleet/shared";
import { expect, it } from "vitest";
import { MAX_OBJECT_MESSAGE, MAX_STATUS_OBJECTS } from "../config/limits.js";
import { createObjectsMemory } from "./objects-memory.js";

const results = (message: string, n = 2) => Array.from({ length: n }, (_, i) => create(ObjectResultSchema, { ref: { kind: "ConfigMap", name: `cm-${i}` }, action: "configured", message }));

it("encodes equal results of a bundle once, and different ones of the same bundle anew", () => {
  const memory = createObjectsMemory();
  const first = memory.encode("d1", results(""));
  expect(memory.encode("d1", results(""))).toBe(first);
  const failed = memory.encode("d1", results("apply failed"));
  expect(JSON.parse(failed.json)).toEqual([0, 1].map((i) => ({ ref: { kind: "ConfigMap", name: `cm-${i}` }, action: "configured", message: "apply failed" })));
  expect(failed.hash).not.toBe(first.hash);
  expect(memory.encode("d1", results("")).hash).toBe(first.hash);
});

it("stores at most MAX_STATUS_OBJECTS results, messages capped", () => {
  const long = "x".repeat(MAX_OBJECT_MESSAGE + 100);
  const stored = JSON.parse(createObjectsMemory().encode("d1", results(long, MAX_STATUS_OBJECTS + 3)).json) as { message: string }[];
  expect(stored).toHaveLength(MAX_STATUS_OBJECTS);
  expect(stored[0]!.message).toMatch(new RegExp(`^x{${MAX_OBJECT_MESSAGE}}… \\(truncated`));
});
