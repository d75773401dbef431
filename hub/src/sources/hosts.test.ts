import { expect, test } from "vitest";
import { checkSourceHost, parseSourceHosts, SourceHostError, urlHost } from "./hosts.js";

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
