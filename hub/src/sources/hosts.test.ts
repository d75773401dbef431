import { expect, test } from "vitest";
import type { Logger } from "pino";
import { checkSourceAddresses, checkSourceHost, parseSourceHosts, SourceHostError, urlHost, warnOfProxy, type Resolve } from "./hosts.js";

const allowed = parseSourceHosts("GitHub.com, *.corp.example,127.0.0.1,[::1]");

test("a URL's host: scheme URLs (credentials and port aside), scp-like Git URLs, none for file://", () => {
  expect(urlHost("https://user:tok@Charts.Corp.Example:8443/stable")).toBe("charts.corp.example");
  expect(urlHost("git@github.com:org/repo.git")).toBe("github.com");
  expect(urlHost("ssh://git@[::1]:2222/repo")).toBe("::1");
  expect(urlHost("file:///srv/repo")).toBe("");
});

test("Sources may fetch only from the listed hosts and subdomains of a *. entry", () => {
  for (const url of ["https://github.com/org/repo", "git@github.com:org/repo", "http://127.0.0.1:8080/charts", "https://charts.corp.example/", "git://[::1]/repo"]) {
    expect(() => checkSourceHost(allowed, "s", url)).not.toThrow();
  }
  for (const url of ["http://169.254.169.254/latest/meta-data", "https://corp.example/", "https://evilcorp.example/", "https://github.com.evil.io/", "file:///etc"]) {
    expect(() => checkSourceHost(allowed, "s", url)).toThrow(SourceHostError);
  }
  expect(() => checkSourceHost(undefined, "s", "http://169.254.169.254/")).not.toThrow();
});

test("the error names the Source and the host, never credentials", () => {
  const err = (() => {
    try {
      checkSourceHost(allowed, "charts", "http://admin:s3cret@10.0.0.7:9000/index");
    } catch (e) {
      return e as SourceHostError;
    }
  })();
  expect(err).toBeInstanceOf(SourceHostError);
  expect(err!.host).toBe("10.0.0.7");
  expect(err!.message).toMatch(/source "charts".*host "10\.0\.0\.7" is not in the hub's --source-hosts/);
  expect(err!.message).not.toContain("s3cret");
});

test("the flag names hosts only", () => {
  expect(() => parseSourceHosts("https://github.com")).toThrow(/--source-hosts: want comma-separated host names/);
  expect(() => parseSourceHosts(" , ")).toThrow(/--source-hosts/);
});

/** A fake DNS: the addresses per name, and which names were asked. */
function dns(answers: Record<string, string[]>) {
  const asked: string[] = [];
  const resolve: Resolve = async (host) => {
    asked.push(host);
    const a = answers[host];
    if (!a) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
    return a;
  };
  return { resolve, asked };
}

test("a listed name leading to private addresses is fetched from those addresses", async () => {
  const { resolve } = dns({ "git.corp.example": ["10.1.2.3", "fd12::3"] });
  expect(await checkSourceAddresses(allowed, "s", "https://git.corp.example/fleet.git", resolve)).toEqual({ host: "git.corp.example", addresses: ["10.1.2.3", "fd12::3"] });
});

test("a listed name leading to loopback, link-local, metadata or unspecified addresses is refused unless the address is listed", async () => {
  for (const internal of ["127.0.0.53", "169.254.169.254", "::ffff:169.254.169.254", "fd00:ec2::254", "100.100.100.200", "fe80::1", "0.0.0.0", "::"]) {
    const { resolve } = dns({ "meta.corp.example": ["10.1.2.3", internal] });
    const err = await checkSourceAddresses(allowed, "s", "https://meta.corp.example/", resolve).then(() => undefined, (e: unknown) => e as Error);
    expect(err, internal).toBeInstanceOf(SourceHostError);
    expect(err?.message).toBe(`fetching source "s" from https://meta.corp.example/: host "meta.corp.example" resolves to ${internal}, an internal address (loopback, link-local or metadata) that is not in the hub's --source-hosts: list the address itself to allow it`);
  }
  // 127.0.0.1 and ::1 are listed: a name leading there is what the operator allowed.
  const { resolve } = dns({ "loop.corp.example": ["127.0.0.1", "::1"] });
  expect(await checkSourceAddresses(allowed, "s", "git://loop.corp.example/repo", resolve)).toEqual({ host: "loop.corp.example", addresses: ["127.0.0.1", "::1"] });
});

test("a name that does not resolve is refused; unlisted names, addresses and no list ask no DNS", async () => {
  const { resolve, asked } = dns({});
  await expect(checkSourceAddresses(allowed, "s", "https://gone.corp.example/", resolve)).rejects.toThrow(/host "gone\.corp\.example" does not resolve \(ENOTFOUND\)/);
  await expect(checkSourceAddresses(allowed, "s", "https://elsewhere.example/", resolve)).rejects.toThrow(/host "elsewhere\.example" is not in the hub's --source-hosts/);
  expect(await checkSourceAddresses(allowed, "s", "http://127.0.0.1:8080/", resolve)).toBeUndefined();
  expect(await checkSourceAddresses(undefined, "s", "http://anything.example/", resolve)).toBeUndefined();
  expect(asked).toEqual(["gone.corp.example"]);
});

test("with --source-hosts, a proxy variable in the environment (any case) is warned of at start, naming the variables", () => {
  const warned: unknown[] = [];
  const log = { warn: (obj: unknown, msg: string) => warned.push({ ...(obj as object), msg }) } as unknown as Logger;
  warnOfProxy(log, allowed, { HTTPS_PROXY: "http://proxy:3128", http_proxy: "http://proxy:3128", PATH: "/bin" });
  expect(warned).toEqual([{ variables: ["HTTPS_PROXY", "http_proxy"], msg: expect.stringMatching(/^--source-hosts: Git over HTTP\(S\) goes through a proxy, which resolves Source host names itself/) }]);
  warned.length = 0;
  warnOfProxy(log, undefined, { HTTPS_PROXY: "http://proxy:3128" });
  warnOfProxy(log, allowed, { ALL_PROXY: "", NO_PROXY: "*" });
  expect(warned).toEqual([]);
});
