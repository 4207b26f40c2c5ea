import type { RouteObject } from "react-router-dom";
import { RouteError } from "../app/RouteError";

/**
 * portalRoutes are the public self-service portal's pages, outside the
 * signed-in console (no session, no shell): /portal/:slug and its
 * articles, a new request, a request followed through its mailed link, and
 * the chat. Each page is a chunk of its own.
 */
export const portalRoutes: RouteObject[] = [
  {
    path: "/portal/:slug",
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
  },
];
