import { useQuery } from "@tanstack/react-query";
import { App as AntApp, Button, ConfigProvider, Result, Spin } from "antd";
import { useEffect } from "react";
import { Link, NavLink, Outlet } from "react-router-dom";
import { isNoPortal, portalGet, portalHome } from "./api";
import { usePortal } from "./usePortal";

/**
 * linkTheme darkens a hovered link as the console's primary colour does
 * (Ant Design's derived hover blue is 2.8:1 on white, under WCAG AA's 4.5:1).
 */
const linkTheme = { token: { colorLinkHover: "#1e40af", colorLinkActive: "#1e3a8a" } };

/** navStyle marks the page's own link in the portal's header. */
const navStyle = ({ isActive }: { isActive: boolean }) => ({ fontWeight: isActive ? 600 : 400, textDecoration: isActive ? "underline" : "none" });

/**
 * Frame is the public portal's page around each of its pages: the
 * tenant's help center header with its links and the language switch, no
 * sign-in and no console shell. A portal the gateway does not know (no
 * such tenant, or not active) shows "no help center here".
 */
export default function Frame() {
  const { slug, base, locale, setLocale, t } = usePortal();
  // One small read tells whether the portal exists before any page says more.
  const probe = useQuery({ queryKey: ["portal", slug, "probe"], queryFn: () => portalGet(base, "/articles", { limit: 1 }), staleTime: Infinity });
  useEffect(() => {
    document.title = t("portal.title");
  }, [t]);
  const home = portalHome(slug);
  let content = <Outlet />;
  if (probe.isLoading) content = <Spin style={{ display: "block", margin: "48px auto" }} />;
  if (isNoPortal(probe.error))
    content = <div data-testid="portal-none"><Result status="404" title={t("portal.noPortal.title")} subTitle={t("portal.noPortal.body")} /></div>;
  return (
    <ConfigProvider theme={linkTheme}>
      <AntApp>
        <div style={{ minHeight: "100vh", background: "#f5f7fa" }} data-testid="portal">
          <header style={{ background: "#fff", borderBottom: "1px solid #e5e7eb" }}>
            <div style={{ maxWidth: 880, margin: "0 auto", padding: "12px 16px", display: "flex", flexWrap: "wrap", alignItems: "center", gap: "8px 20px" }}>
              <Link to={home} style={{ fontSize: 20, fontWeight: 600, color: "#111827", marginRight: "auto" }} data-testid="portal-title">
                {t("portal.title")}
              </Link>
              <nav aria-label={t("portal.title")} style={{ display: "flex", flexWrap: "wrap", gap: "4px 16px" }}>
                <NavLink to={home} end style={navStyle}>
                  {t("portal.nav.home")}
                </NavLink>
                <NavLink to={`${home}/cases/new`} style={navStyle} data-testid="portal-nav-new-case">
                  {t("portal.nav.newCase")}
                </NavLink>
                <NavLink to={`${home}/chat`} style={navStyle} data-testid="portal-nav-chat">
                  {t("portal.nav.chat")}
                </NavLink>
              </nav>
              <Button
                type="text"
                onClick={() => setLocale(locale === "en" ? "zh-CN" : "en")}
                aria-label={t("portal.languageLabel")}
                lang={locale === "en" ? "zh-CN" : "en"}
                data-testid="portal-lang"
              >
                {t("portal.language")}
              </Button>
            </div>
          </header>
          <main style={{ maxWidth: 880, margin: "0 auto", padding: "16px" }}>{content}</main>
        </div>
      </AntApp>
    </ConfigProvider>
  );
}
