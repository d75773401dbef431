import { describe, expect, it } from "vitest";
import { REDACTED, redactSecretFields as redact } from "./redact.js";

describe("redact", () => {
  it("masks Secret data, stringData and the last-applied annotation, and nothing else", () => {
    const d = (path: string) => ({ path, desired: "c2VjcmV0", live: "b3RoZXI=" });
    const out = redact("Secret", [d("data.password"), d("stringData"), d('metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"]'), d("metadata.labels.x")]);
    expect(out.map((x) => x.desired)).toEqual([REDACTED, REDACTED, REDACTED, "c2VjcmV0"]);
    expect(redact("ConfigMap", [d("data.password")])[0]!.live).toBe("b3RoZXI=");
  });
});
