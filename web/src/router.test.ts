import { describe, expect, it } from "vitest";
import { href, parseHash, routeOf } from "./router.js";

describe("parseHash", () => {
  it("splits a hash route into its parts, with or without the slash, ignoring empty parts", () => {
    expect(parseHash("#/apps/web/eu-1")).toEqual(["apps", "web", "eu-1"]);
    expect(parseHash("#apps/web")).toEqual(["apps", "web"]);
    expect(parseHash("#/drift//eu-1/")).toEqual(["drift", "eu-1"]);
    expect(parseHash("")).toEqual([]);
    expect(parseHash("#/")).toEqual([]);
  });

  it("decodes what href encodes, so a name with a slash or a space comes back whole", () => {
    expect(parseHash(href("apps", "team/web", "eu 1"))).toEqual(["apps", "team/web", "eu 1"]);
    expect(href("apps", "team/web")).toBe("#/apps/team%2Fweb");
  });

  it("keeps a part that is not valid percent-encoding as typed instead of failing the page", () => {
    expect(parseHash("#/clusters/100%")).toEqual(["clusters", "100%"]);
  });
});

describe("routeOf", () => {
  it.each([
    [[], { page: "fleet" }],
    [["fleet"], { page: "fleet" }],
    [["audit"], { page: "audit" }],
    [["clusters"], { page: "clusters" }],
    [["clusters", "eu-1"], { page: "cluster", name: "eu-1" }],
    [["apps"], { page: "missing" }],
    [["apps", "web"], { page: "app", name: "web" }],
    [["apps", "web", "eu-1"], { page: "app", name: "web", cluster: "eu-1" }],
    [["drift"], { page: "drift" }],
    [["drift", "eu-1"], { page: "drift" }],
    [["drift", "eu-1", "web"], { page: "drift-detail", cluster: "eu-1", app: "web" }],
    [["fleet", "extra"], { page: "fleet" }],
    [["nope"], { page: "missing" }],
  ])("%j → %j", (parts, route) => {
    expect(routeOf(parts)).toEqual(route);
  });
});
