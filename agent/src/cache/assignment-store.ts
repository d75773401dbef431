import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { create, fromJsonString, toJsonString } from "@bufbuild/protobuf";
import { AssignmentSetSchema, type AssignmentSet } from "@gitfleet/shared";
import { writeAtomic } from "../files.js";

/** The last AssignmentSet from the hub, kept so the agent reconciles after a restart without the hub. */
export interface AssignmentStore {
  load(): Promise<AssignmentSet | undefined>;
  save(set: AssignmentSet): Promise<void>;
}

export function fileAssignmentStore(stateDir: string): AssignmentStore {
  const path = join(stateDir, "assignments.json");
  return {
    async load() {
      let text: string;
      try {
        text = await readFile(path, "utf8");
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw err;
      }
      return fromJsonString(AssignmentSetSchema, text);
    },
    // Without the inline bundles: the bundle cache keeps those, and they would only swell the file.
    save: (set) => writeAtomic(path, toJsonString(AssignmentSetSchema, create(AssignmentSetSchema, { assignments: set.assignments, generation: set.generation })) + "\n"),
  };
}
