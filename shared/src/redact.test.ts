import { describe, expect, it } from "vitest";
import { REDACTED, redactCredentials, redactSecretFields as redact } from "./redact.js";

describe("redact", () => {
  it("masks Secret data, stringData and the last-applied annotation, and nothing else", () => {
    const d = (path: string) => ({ path, desired: "c2VjcmV0", live: "b3RoZXI=" });
    const out = redact("Secret", [d("data.password"), d("stringData"), d('metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"]'), d("metadata.labels.x")]);
    expect(out.map((x) => x.desired)).toEqual([REDACTED, REDACTED, REDACTED, "c2VjcmV0"]);
    expect(redact("ConfigMap", [d("data.password")])[0]!.live).toBe("b3RoZXI=");
  });

  it("masks URL passwords (a lone user is masked whole) and Authorization values in any text", () => {
    expect(redactCredentials("fetching https://bot:ghp_abc@github.com/o/r failed")).toBe("fetching https://bot:[redacted]@github.com/o/r failed");
    expect(redactCredentials("git@github.com:o/r and https://ghp_abc@github.com/o/r")).toBe("git@github.com:o/r and https://[redacted]@github.com/o/r");
    expect(redactCredentials("Authorization: Bearer abc.def")).toBe("Authorization: Bearer [redacted]");
    expect(redactCredentials("postgres://hub:p%40ss@db:5432/x")).toBe("postgres://hub:[redacted]@db:5432/x");
  });
});
