import { ConfigProvider } from "antd";
import enUS from "antd/locale/en_US";
import zhCN from "antd/locale/zh_CN";
import dayjs from "dayjs";
import "dayjs/locale/zh-cn";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useEffect, useMemo } from "react";
import { createBrowserRouter, matchRoutes, RouterProvider, type RouteObject } from "react-router-dom";
import { isApiError } from "../api/problem";
import { areas } from "../areas";
import { SessionProvider } from "../auth/session";
import { I18nProvider, useI18n } from "../i18n/I18n";
import { loadAreaCatalogs } from "../i18n/tables";
import { csrfToken } from "../auth/token";
import { portalRoutes } from "../portal/routes";
import { RequireSession } from "./RequireSession";
import { RouteError } from "./RouteError";

const queries = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      // A 4xx will answer the same again; a lost connection or a 5xx may not.
      retry: (n, err) => n < 2 && (!isApiError(err) || err.retryable),
      refetchOnWindowFocus: false,
    },
  },
});

const routes: RouteObject[] = [
  { path: "/signin", lazy: async () => ({ Component: (await import("./SignIn")).default }), errorElement: <RouteError /> },
  // The public self-service portal: customers without an account, no session.
  ...portalRoutes,
  {
    element: <RequireSession />,
    errorElement: <RouteError />,
    children: [
      {
        path: "/",
        // The shell comes with every area's texts.
        lazy: async () => {
          const [shell] = await Promise.all([import("./Shell"), loadAreaCatalogs()]);
          return { Component: shell.default };
        },
        errorElement: <RouteError />,
        children: areas.flatMap((a) => a.routes).map((r) => ({ ...r, errorElement: <RouteError /> })),
      },
    ],
  },
];

/**
 * prefetchRoute starts loading the code of the page at the address (the
 * shell, the texts, the page itself) while the session is being restored,
 * when there is one to restore: the router would otherwise ask for them
 * only after the refresh and /v1/me have answered, one round trip after
 * another. The browser's module cache serves the router's own loads.
 */
function prefetchRoute() {
  if (!csrfToken()) return;
  for (const m of matchRoutes(routes, window.location) ?? []) void m.route.lazy?.();
}

prefetchRoute();
const router = createBrowserRouter(routes);

/**
 * theme is Ant Design's default but for links, in the primary colour, and
 * the greys of secondary text, which are darkened to a contrast of at
 * least 4.5:1 on white (WCAG AA; axe checks it on every page).
 */
const theme = {
  token: { colorPrimary: "#1d4ed8", colorPrimaryHover: "#1e40af", colorLink: "#1d4ed8", colorError: "#cf1322", colorTextDescription: "#595959", colorTextTertiary: "#595959", colorTextPlaceholder: "#6e6e6e" },
};

/** Themed applies Ant Design's and dayjs's locale for the current language. */
function Themed() {
  const { locale } = useI18n();
  const antLocale = useMemo(() => (locale === "zh-CN" ? zhCN : enUS), [locale]);
  useEffect(() => {
    dayjs.locale(locale === "zh-CN" ? "zh-cn" : "en");
  }, [locale]);
  return (
    // virtual={false}: a virtual Select draws its options with aria-selected
    // but no role (rc-select), which axe rightly calls invalid ARIA; our
    // option lists are short (a page of 200 at most), so all are drawn.
    <ConfigProvider locale={antLocale} theme={theme} virtual={false}>
      <SessionProvider>
        <RouterProvider router={router} />
      </SessionProvider>
    </ConfigProvider>
  );
}

/** App is the console: languages, server state, the session and the routes. */
export default function App() {
  return (
    <QueryClientProvider client={queries}>
      <I18nProvider>
        <Themed />
      </I18nProvider>
    </QueryClientProvider>
  );
}
