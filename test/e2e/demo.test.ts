import { expect, it } from "vitest";
import { ROOT, run } from "../lib/processes.js";

it("npm run demo brings up a hub, three clusters and their agents, all Synced", async () => {
  const r = await run(`${ROOT}test/dist/demo/main.js`, ["--exit-when-ready"], { timeoutMs: 150_000 });
  expect(r.stderr).not.toContain("demo failed");
  expect(r.code).toBe(0);
  expect(r.stdout).toContain("gitfleet demo is running");
  expect(r.stdout).toContain("cluster list");
  expect(r.stdout).toContain("rollout status web --watch");
  expect(r.stdout).toMatch(/Dashboard: http:\/\/127\.0\.0\.1:\d+\/\n  sign in with the admin token: gfa_/);
});
