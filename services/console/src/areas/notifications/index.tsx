import { page, type Area } from "../types";
import { catalog } from "./catalog";

/**
 * notifications is the preferences page of the notifications; the bell
 * itself is in the shell's header (src/components/notifications).
 */
export const notifications: Area = {
  name: "notifications",
  routes: [page("settings/notifications", () => import("./PreferencesPage"))],
  menu: [],
  catalog,
};
