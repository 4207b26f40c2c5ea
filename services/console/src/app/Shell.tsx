import { App as AntApp, Button, Drawer, Dropdown, Layout, Menu, Typography } from "antd";
import { LogoutOutlined, MenuOutlined, UserOutlined } from "@ant-design/icons";
import { Suspense, useEffect, useMemo, useState } from "react";
import { Outlet, useLocation, useNavigate } from "react-router-dom";
import { areas } from "../areas";
import type { MenuEntry, MenuGroup } from "../areas/types";
import { useSession } from "../auth/session";
import { useI18n } from "../i18n/I18n";
import { useIsPhone } from "../lib/useIsPhone";
import { NotificationBell } from "../components/notifications/NotificationBell";
import { LanguageSwitch } from "./LanguageSwitch";
import { PageLoading } from "./PageLoading";

const groups: MenuGroup[] = ["main", "sales", "service", "marketing", "insights", "admin"];

/**
 * Shell is the signed-in frame: the side menu (a drawer on a phone) built
 * from the areas the user may see, the header with the language switch and
 * the account menu, and the page.
 */
export default function Shell() {
  const { t, setLocale } = useI18n();
  const { me, can, signOut } = useSession();
  const phone = useIsPhone();
  const [open, setOpen] = useState(false);
  const nav = useNavigate();
  const loc = useLocation();

  const saved = me?.user.locale;
  useEffect(() => {
    if (saved === "en" || saved === "zh-CN") setLocale(saved);
  }, [saved, setLocale]);

  const items = useMemo(() => {
    const entries = areas.flatMap((a) => a.menu).filter((m) => !m.permission || can(m.permission));
    return groups
      .map((g) => ({ g, list: entries.filter((e) => e.group === g).sort((a, b) => a.order - b.order) }))
      .filter((x) => x.list.length > 0)
      .map(({ g, list }) => ({
        type: "group" as const,
        key: g,
        label: t(`shell.group.${g}`),
        children: list.map((e: MenuEntry) => ({ key: e.path, icon: e.icon, label: t(e.labelKey) })),
      }));
  }, [can, t]);
  const selected = areas
    .flatMap((a) => a.menu)
    .map((m) => m.path)
    .filter((p) => (p === "/" ? loc.pathname === "/" : loc.pathname.startsWith(p)))
    .sort((a, b) => b.length - a.length)
    .slice(0, 1);
  const menu = (
    <nav aria-label={t("shell.menu")}>
      <Menu mode="inline" items={items} selectedKeys={selected} onClick={({ key }) => { setOpen(false); nav(key); }} style={{ borderInlineEnd: 0 }} />
    </nav>
  );
  const name = me?.user.name || me?.user.email || "";

  return (
    // AntApp gives the pages App.useApp() (message, modal, notification); it
    // lives here, not at the root, so the sign-in route does not load it.
    <AntApp>
    <Layout style={{ minHeight: "100vh" }} data-testid="app-shell">
      {!phone && (
        <Layout.Sider width={220} theme="light" style={{ borderRight: "1px solid #f0f0f0" }}>
          <Typography.Title level={2} style={{ fontSize: 20, padding: "16px 24px", margin: 0 }}>
            {t("app.name")}
          </Typography.Title>
          {menu}
        </Layout.Sider>
      )}
      {phone && (
        <Drawer open={open} onClose={() => setOpen(false)} placement="left" width={260} title={t("app.name")}>
          {menu}
        </Drawer>
      )}
      <Layout>
        <Layout.Header style={{ background: "#fff", padding: "0 12px", display: "flex", alignItems: "center", gap: 8, borderBottom: "1px solid #f0f0f0" }}>
          {phone && <Button type="text" icon={<MenuOutlined />} aria-label={t("shell.openMenu")} onClick={() => setOpen(true)} data-testid="menu-button" />}
          <div style={{ flex: 1 }} id="shell-header-slot" />
          <NotificationBell />
          <LanguageSwitch />
          <Dropdown
            trigger={["click"]}
            menu={{
              items: [
                { key: "who", label: t("shell.signedInAs", { name }), disabled: true },
                { type: "divider" },
                { key: "logout", icon: <LogoutOutlined />, label: <span data-testid="logout">{t("shell.logout")}</span>, onClick: () => signOut().then(() => nav("/signin")) },
              ],
            }}
          >
            <Button type="text" icon={<UserOutlined />} data-testid="user-menu" aria-label={t("shell.userMenu")}>
              {phone ? null : name}
            </Button>
          </Dropdown>
        </Layout.Header>
        <Layout.Content style={{ padding: phone ? 8 : 24 }}>
          <main>
            <Suspense fallback={<PageLoading />}>
              <Outlet />
            </Suspense>
          </main>
        </Layout.Content>
      </Layout>
    </Layout>
    </AntApp>
  );
}
