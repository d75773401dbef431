import * as grpc from "@grpc/grpc-js";
import { RpcError } from "@gitfleet/shared";
import { describe, expect, it } from "vitest";
import { createAdmission } from "./admission.js";

describe("createAdmission", () => {
  it("admits up to max at once, answers the rest UNAVAILABLE with a retry hint, and admits again after a release", () => {
    const a = createAdmission("registrations", 2, 1500);
    const first = a.admit();
    const second = a.admit();
    const third = a.admit();
    expect("release" in first && "release" in second).toBe(true);
    if (!("error" in third)) throw new Error("third call admitted");
    expect(third.error.reason).toBe("UNAVAILABLE");
    expect(third.error.message).toContain("2 registrations in progress");
    expect([a.inFlight, a.shed]).toEqual([2, 1]);
    if ("release" in first) {
      first.release();
      first.release(); // twice counts once
    }
    expect(a.inFlight).toBe(1);
    expect("release" in a.admit()).toBe(true);
    expect("error" in a.admit()).toBe(true);
  });

  it("carries the hint over the wire in trailing metadata", () => {
    const a = createAdmission("connects", 0, 2500);
    const r = a.admit();
    if (!("error" in r)) throw new Error("admitted with max 0");
    const wire = r.error.toServiceError();
    const back = RpcError.from({ ...wire, message: wire.details } as grpc.ServiceError);
    expect([back.code, back.reason, back.retryAfterMs]).toEqual([grpc.status.UNAVAILABLE, "UNAVAILABLE", 2500]);
  });
});
