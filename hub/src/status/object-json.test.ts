import { create, toJson, type DescMessage } from "@bufbuild/protobuf";
import { ObjectResultSchema } from "@gitfleet/shared";
import { expect, it } from "vitest";
import { objectResultJson } from "./object-json.js";

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
