import { create, toJson, type DescMessage } from "@bufbuild/protobuf";
import { ObjectResultSchema } from "@gitfleet/shared";
import { expect, it } from "vitest";
import { objectResultJson, sameObjectResult } from "./object-json.js";

/** Every field of the schema set (strings to their name), nested messages too: a field added to the proto shows here. */
function filled(schema: DescMessage): Record<string, unknown> {
  return Object.fromEntries(schema.fields.map((f) => {
    if (f.fieldKind === "scalar") return [f.localName, f.name];
    if (f.fieldKind === "message") return [f.localName, filled(f.message)];
    throw new Error(`objectResultJson does not know ${f.fieldKind} field ${schema.typeName}.${f.name}: add it`);
  }));
}

it("writes what toJson writes, for every field set, none set, and a set but empty ref", () => {
  for (const init of [filled(ObjectResultSchema), {}, { ref: {}, action: "configured" }]) {
    const o = create(ObjectResultSchema, init);
    expect(JSON.stringify(objectResultJson(o))).toBe(JSON.stringify(toJson(ObjectResultSchema, o)));
  }
});

it("sameObjectResult tells apart results that differ in any field objectResultJson writes", () => {
  const base = create(ObjectResultSchema, filled(ObjectResultSchema));
  expect(sameObjectResult(base, create(ObjectResultSchema, filled(ObjectResultSchema)))).toBe(true);
  expect(sameObjectResult(create(ObjectResultSchema, {}), create(ObjectResultSchema, {}))).toBe(true);
  const variants: Record<string, unknown>[] = [{ ...filled(ObjectResultSchema), ref: undefined }];
  for (const f of ObjectResultSchema.fields) {
    if (f.fieldKind === "scalar") variants.push({ ...filled(ObjectResultSchema), [f.localName]: "other" });
    else if (f.fieldKind === "message") for (const g of f.message.fields) variants.push({ ...filled(ObjectResultSchema), [f.localName]: { ...filled(f.message), [g.localName]: "other" } });
  }
  for (const v of variants) {
    const o = create(ObjectResultSchema, v);
    expect(JSON.stringify(objectResultJson(o))).not.toBe(JSON.stringify(objectResultJson(base)));
    expect(sameObjectResult(base, o), JSON.stringify(v)).toBe(false);
  }
});
