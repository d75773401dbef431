import { describe, expect, it } from "vitest";
import { Code, ConnectError } from "@connectrpc/connect";
import { errorText, isUnauthenticated, loginError } from "./rpc-errors.js";

describe("loginError", () => {
  it("tells a refused token from a hub out of reach", () => {
    expect(loginError(new ConnectError("bad token", Code.Unauthenticated))).toBe("That token was refused. Use the hub's admin token (DATA_DIR/admin-token).");
    expect(loginError(new ConnectError("connection refused", Code.Unavailable))).toBe("Cannot reach the hub: connection refused");
    expect(loginError(new TypeError("Failed to fetch"))).toBe("Cannot reach the hub: Failed to fetch");
  });
});

describe("isUnauthenticated and errorText", () => {
  it("read the code and the hub's own words, without the code prefix", () => {
    const denied = new ConnectError("viewer tokens cannot write", Code.PermissionDenied);
    expect(isUnauthenticated(denied)).toBe(false);
    expect(errorText(denied)).toBe("viewer tokens cannot write");
    expect(isUnauthenticated(new ConnectError("no", Code.Unauthenticated))).toBe(true);
  });
});
