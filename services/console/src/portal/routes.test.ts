import { matchRoutes } from "react-router-dom";
import { describe, expect, it } from "vitest";
import { portalBase, portalHome } from "./api";
import { portalRoutes } from "./routes";

/** match returns the slug and the last route's params of the portal page at path. */
function match(path: string) {
  const m = matchRoutes(portalRoutes, path);
  if (!m) return undefined;
  const last = m[m.length - 1];
  return { slug: last.params.slug ?? "", params: last.params, route: last.route.path ?? (last.route.index ? "index" : "") };
}

describe("portal routes", () => {
  it("serve a tenant's pages under its slug", () => {
    expect(match("/portal/acme")).toMatchObject({ slug: "acme", route: "index" });
    expect(match("/portal/acme/articles/a1")).toMatchObject({ slug: "acme", route: "articles/:id", params: { id: "a1" } });
    expect(match("/portal/acme/cases/new")).toMatchObject({ slug: "acme", route: "cases/new" });
    expect(match("/portal/acme/cases/c1")).toMatchObject({ slug: "acme", route: "cases/:id", params: { id: "c1" } });
    expect(match("/portal/acme/chat")).toMatchObject({ slug: "acme", route: "chat" });
    expect(match("/portal/acme/nothing/here")).toMatchObject({ slug: "acme", route: "*" });
  });

  it("serve the pages of a tenant's own domain under /portal, where its mailed links point", () => {
    expect(match("/portal")).toMatchObject({ slug: "", route: "index" });
    expect(match("/portal/cases/c1")).toMatchObject({ slug: "", route: "cases/:id", params: { id: "c1" } });
    expect(match("/portal/cases/new")).toMatchObject({ slug: "", route: "cases/new" });
    expect(match("/portal/articles/a1")).toMatchObject({ slug: "", route: "articles/:id" });
    expect(match("/portal/chat")).toMatchObject({ slug: "", route: "chat" });
  });

  it("call the API of the slug's portal, or of the domain's", () => {
    expect(portalBase("acme")).toBe("/portal/acme/api/v1");
    expect(portalHome("acme")).toBe("/portal/acme");
    expect(portalBase("")).toBe("/portal/api/v1");
    expect(portalHome("")).toBe("/portal");
  });
});
