import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stopAll, waitFor } from "../lib/processes.js";
import { BACKENDS, cli, cliOk, clusters, startAgent, startHub, tempDir, waitClusterState } from "../lib/fleet.js";
import { makeTestCa } from "../lib/tls.js";

const SYSTEM_CAS = "/etc/ssl/certs/ca-certificates.crt";
const CERT_ERROR = /self[- ]signed certificate|unable to (verify|get local issuer)|certificate verify failed/i;

describe.each(BACKENDS)("TLS on $name", (backend) => {
  afterAll(stopAll);

  it("agent and CLI reach a TLS hub through a custom CA; without the CA both fail with a clear error", async () => {
    const dir = await tempDir("tls");
    const pki = await makeTestCa(dir);
    const hub = await startHub(join(dir, "hub"), ["--tls-cert", pki.cert, "--tls-key", pki.key, ...backend.args()]);
    const withCa = { dataDir: hub.dataDir, caFile: pki.ca };
    const token = (await cliOk(withCa, ["token", "create", "--labels", "secure=yes"])).trim();

    // The CLI never falls back to clear text: without the CA it cannot connect, with the system CAs
    // it cannot verify the hub's certificate.
    const clear = await cli(hub, ["token", "list"]);
    expect(clear.code).not.toBe(0);
    expect(clear.stderr).toContain("UNAVAILABLE");
    const untrusted = await cli({ dataDir: hub.dataDir, caFile: SYSTEM_CAS }, ["token", "list"]);
    expect(untrusted.code).not.toBe(0);
    expect(untrusted.stderr).toMatch(CERT_ERROR);

    // Agents without the CA: in clear text they cannot reach it; with TLS on the system roots they
    // cannot verify it, and say so. Neither registers.
    const plain = startAgent(hub, ["--token", token, "--name", "plain", "--state-dir", join(dir, "plain")]);
    const blind = startAgent(hub, ["--token", token, "--name", "no-ca", "--state-dir", join(dir, "no-ca"), "--tls"]);
    await waitFor("the clear-text agent to retry", () => plain.output().includes("hub unreachable for registration"));
    await waitFor("the agent without the CA to report the certificate", () => CERT_ERROR.test(blind.output()));

    startAgent(hub, ["--token", token, "--name", "tls1", "--state-dir", join(dir, "a"), "--ca-file", pki.ca]);
    const c = await waitClusterState(withCa, "tls1", "Connected");
    expect(c.labels).toEqual({ secure: "yes" });
    // The good agent got through while the blind one kept trying: it is still not a cluster.
    expect((await clusters(withCa)).map((x) => x.name)).toEqual(["tls1"]);
    for (const agent of [plain, blind]) {
      expect(agent.child.exitCode).toBeNull();
      expect(agent.output()).not.toContain("registered with hub");
    }
  });
});
