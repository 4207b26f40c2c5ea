import type { RouteObject } from "react-router-dom";
import { RouteError } from "../app/RouteError";

/**
 * portalTree is the portal's pages under path: its home, articles, a new
 * request, a request followed through its mailed link, and the chat, each
 * page a chunk of its own.
 */
function portalTree(path: string): RouteObject {
  return {
    path,
    lazy: async () => ({ Component: (await import("./Frame")).default }),
    errorElement: <RouteError />,
    children: [
      { index: true, lazy: async () => ({ Component: (await import("./HomePage")).default }) },
      { path: "articles/:id", lazy: async () => ({ Component: (await import("./ArticlePage")).default }) },
      { path: "cases/new", lazy: async () => ({ Component: (await import("./NewCasePage")).default }) },
      { path: "cases/:id", lazy: async () => ({ Component: (await import("./CasePage")).default }) },
      { path: "chat", lazy: async () => ({ Component: (await import("./ChatPage")).default }) },
      { path: "*", lazy: async () => ({ Component: (await import("./NotFoundPage")).default }) },
    ],
  };
}

/**
 * portalRoutes are the public self-service portal's pages, outside the
 * signed-in console (no session, no shell): a tenant's at /portal/:slug,
 * and, on a domain of the tenant's own, at /portal (where the links it
 * mails point). No tenant's slug is one of the portal's own words (api,
 * articles, cases, chat: the gateway refuses them), so the two never meet.
 */
export const portalRoutes: RouteObject[] = [portalTree("/portal/:slug"), portalTree("/portal")];
