import { expect, it } from "vitest";
import { tempStore } from "../../store/test-store.js";
import { markEnded } from "./agent-service.js";
import { Sessions } from "./sessions.js";

const store = tempStore("agent-service");

it("marks ended streams Disconnected, but not a cluster whose agent opened a new stream here meanwhile", async () => {
  const { db } = store();
  for (const name of ["back", "gone", "elsewhere"]) {
    await db.cluster.create({ data: { name, credentialHash: `h-${name}`, approved: true, state: "Connected", hub: name === "elsewhere" ? "hub-b" : "hub-a" } });
  }
  const sessions = new Sessions();
  // "back" reconnected to this hub while its old stream's disconnect waited in the batch.
  sessions.open("back", { end() {} } as unknown as Parameters<Sessions["open"]>[1]);
  await markEnded({ db, sessions, hubId: "hub-a" })(["back", "gone", "elsewhere"]);
  const states = Object.fromEntries((await db.cluster.findMany()).map((c) => [c.name, c.state]));
  // "elsewhere" is Connected through another hub now: only that hub marks it.
  expect(states).toEqual({ back: "Connected", gone: "Disconnected", elsewhere: "Connected" });
});
