import { describe, expect, it } from "vitest";
import { ClusterState, HealthState, SyncState } from "@gitfleet/shared/proto";
import { clusterLook, healthLook, HEALTH, SYNC, syncLook } from "./states.js";

describe("state looks", () => {
  it("gives each state its own glyph, so no one has to tell colors apart", () => {
    for (const table of [SYNC, HEALTH]) {
      const glyphs = Object.values(table).map((l) => l.glyph);
      expect(new Set(glyphs).size).toBe(glyphs.length);
    }
  });

  it("names the states as the README and the CLI do", () => {
    expect([SyncState.SYNCED, SyncState.OUT_OF_SYNC, SyncState.FAILED].map((s) => `${syncLook(s).glyph} ${syncLook(s).label}`)).toEqual(["✔ Synced", "▲ OutOfSync", "✖ Failed"]);
    expect([HealthState.HEALTHY, HealthState.PROGRESSING, HealthState.DEGRADED, HealthState.MISSING].map((h) => `${healthLook(h).glyph} ${healthLook(h).label}`)).toEqual([
      "● Healthy",
      "◐ Progressing",
      "■ Degraded",
      "○ Missing",
    ]);
    expect([ClusterState.CONNECTED, ClusterState.DISCONNECTED, ClusterState.PENDING].map((c) => clusterLook(c).label)).toEqual(["Connected", "Disconnected", "Pending"]);
  });

  it("reads a state it does not know (a newer hub's) as Unknown", () => {
    expect(syncLook(99 as SyncState).label).toBe("Unknown");
    expect(healthLook(99 as HealthState).label).toBe("Unknown");
    expect(clusterLook(99 as ClusterState).label).toBe("Unknown");
  });
});
