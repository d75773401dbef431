import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_HTTP_BODY } from "@gitfleet/hub/dist/src/config/limits.js";
import { cli } from "../../lib/fleet.js";
import { githubPush } from "../../lib/clusters.js";
import { appYaml, BACKENDS, openArena, sourceYaml, WEBHOOK_SECRET, type Arena } from "./fixture.js";

/**
 * A raw POST to the hub's HTTP port; the status, or the error the connection ended with. With
 * `declared`, the request announces that many bytes, sends only `body` and waits for the answer: a
 * client still writing when the hub answers and closes would see EPIPE instead of the answer.
 */
function post(address: string, path: string, body: Buffer, declared?: number): Promise<{ status?: number; text?: string; error?: string }> {
  const [host, port] = address.split(":");
  return new Promise((resolve) => {
    const headers = { "content-type": "application/json", "x-github-event": "push", ...(declared ? { "content-length": String(declared) } : {}) };
    const req = request({ host, port: Number(port), method: "POST", path, headers }, (res) => {
      let text = "";
      res.on("data", (d: Buffer) => (text += d.toString()));
      res.on("end", () => {
        resolve({ status: res.statusCode, text });
        req.destroy();
      });
    });
    req.on("error", (err) => resolve({ error: (err as NodeJS.ErrnoException).code ?? err.message }));
    if (declared) req.write(body);
    else req.end(body);
  });
}

// A careless user or an attacker gets a message naming the problem, never "internal error".
describe.concurrent.each(BACKENDS)("bad input on $name", (backend) => {
  let arena: Arena;
  const refused = async (args: string[], stdin?: string) => {
    const r = await cli(arena.hub, args, stdin);
    expect(r.code).not.toBe(0);
    expect(r.stderr).not.toMatch(/internal error|INTERNAL|\n\s+at /);
    return r.stderr;
  };
  beforeAll(async () => {
    arena = await openArena("input", backend, { "web/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n" });
    await arena.apply(`${sourceYaml(arena)}---\n${appYaml("web", "web", "prod")}`);
  });
  afterAll(async () => arena?.close());

  it.sequential("refuses a YAML alias bomb in apply -f by name", async () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 10; i++) levels.push(`l${i}: &l${i} [${Array(10).fill(i === 1 ? "*a" : `*l${i - 1}`).join(", ")}]`);
    const bomb = `apiVersion: gitfleet.dev/v1\nkind: App\nmetadata: {name: bomb}\nspec:\n  ${levels.join("\n  ")}\n`;
    expect(await refused(["apply", "-f", "-"], bomb)).toMatch(/alias/i);
  });

  it.sequential("names the flag for a negative --ttl or --max-uses", async () => {
    for (const args of [["--ttl", "-5m"], ["--ttl=-5m"], ["--max-uses", "-1"], ["--max-uses=-1"]]) {
      expect(await refused(["token", "create", ...args])).toMatch(args[0]!.startsWith("--ttl") ? /--ttl/ : /--max-uses/);
    }
  });

  it.sequential("answers an oversized webhook body with 413", async () => {
    const r = await post(arena.hub.http, "/hooks/apps", Buffer.alloc(MAX_HTTP_BODY + 1024 * 1024, "a"), 20 * 1024 * 1024);
    expect(r).toMatchObject({ status: 413 });
    expect(r.text).toMatch(/limit/);
  });

  it.sequential("answers a malformed percent-encoded webhook path with 400 and logs no stack trace", async () => {
    const r = await post(arena.hub.http, "/hooks/%E0%A4%A", Buffer.from("{}"));
    expect(r.status).toBe(400);
    expect(arena.hub.output()).not.toMatch(/URIError|"level":50/);
  });

  it.sequential("answers an unknown source the same as a bad signature", async () => {
    const unknown = await githubPush(arena.hub.http, "no-such-source", WEBHOOK_SECRET);
    const badSignature = await githubPush(arena.hub.http, "apps", WEBHOOK_SECRET, "sha256=deadbeef");
    expect(badSignature).toBe(401);
    expect(unknown).toBe(badSignature);
  });
});
