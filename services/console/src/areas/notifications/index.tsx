import { BellOutlined } from "@ant-design/icons";
import { page, type Area } from "../types";

/**
 * notifications is the preferences page of the notifications; the bell
 * itself is in the shell's header (src/components/notifications). The page
 * is each user's own, so its menu entry sits last among the everyday ones
 * (not under administration) and needs no permission.
 */
export const notifications: Area = {
  name: "notifications",
  routes: [page("settings/notifications", () => import("./PreferencesPage"))],
  menu: [{ path: "/settings/notifications", labelKey: "notifications.prefs.menu", icon: <BellOutlined />, group: "main", order: 90 }],
  catalog: () => import("./catalog"),
};
