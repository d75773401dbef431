import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { stopAll } from "../lib/processes.js";
import { cli, cliOk, removeDir, startAgent, startHub, tempDir, waitClusterState } from "../lib/fleet.js";
import { makeTestCa } from "../lib/tls.js";

let dir: string;
afterAll(async () => {
  await stopAll();
  await removeDir(dir);
});

it("agent and CLI reach a TLS hub through a custom CA, and refuse it without the CA", async () => {
  dir = await tempDir("tls");
  const pki = await makeTestCa(dir);
  const hub = await startHub(join(dir, "hub"), ["--tls-cert", pki.cert, "--tls-key", pki.key]);
  const token = (await cliOk({ ...hub, cliArgs: ["--ca-file", pki.ca] }, ["token", "create", "--labels", "secure=yes"])).trim();

  // Without the CA the certificate cannot be verified: the CLI fails rather than talking in clear.
  const refused = await cli(hub, ["token", "list"]);
  expect(refused.code).not.toBe(0);

  startAgent(hub, ["--token", token, "--name", "tls1", "--state-dir", join(dir, "a"), "--ca-file", pki.ca]);
  const c = await waitClusterState({ dataDir: hub.dataDir, cliArgs: ["--ca-file", pki.ca] }, "tls1", "Connected");
  expect(c.labels).toEqual({ secure: "yes" });
});
