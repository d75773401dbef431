import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createSecretBox, loadSecretKey } from "./index.js";

describe("secret box", () => {
  const box = createSecretBox(Buffer.alloc(32, 7));

  it("round-trips and never shows the plaintext", () => {
    const blob = box.seal("hunter2", "source/apps");
    expect(blob).not.toContain("hunter2");
    expect(box.seal("hunter2", "source/apps")).not.toBe(blob);
    expect(box.open(blob, "source/apps")).toBe("hunter2");
  });

  it("refuses a blob moved to another row or opened with another key", () => {
    const blob = box.seal("hunter2", "source/apps");
    expect(() => box.open(blob, "source/other")).toThrow(/cannot decrypt/);
    expect(() => createSecretBox(Buffer.alloc(32, 8)).open(blob, "source/apps")).toThrow(/cannot decrypt/);
  });
});

describe("loadSecretKey", () => {
  it("creates a 0600 key file once and reuses it", () => {
    const dir = mkdtempSync(join(tmpdir(), "gitfleet-key-"));
    const key = loadSecretKey(dir, {});
    expect(key.length).toBe(32);
    expect(statSync(join(dir, "secret-key")).mode & 0o777).toBe(0o600);
    expect(loadSecretKey(dir, {}).equals(key)).toBe(true);
  });

  it("takes the key from GITFLEET_SECRET_KEY as hex or base64", () => {
    const hex = "ab".repeat(32);
    expect(loadSecretKey("/nonexistent", { GITFLEET_SECRET_KEY: hex }).toString("hex")).toBe(hex);
    const b64 = Buffer.alloc(32, 1).toString("base64");
    expect(loadSecretKey("/nonexistent", { GITFLEET_SECRET_KEY: b64 }).equals(Buffer.alloc(32, 1))).toBe(true);
    expect(() => loadSecretKey("/nonexistent", { GITFLEET_SECRET_KEY: "short" })).toThrow(/32 bytes/);
  });
});
