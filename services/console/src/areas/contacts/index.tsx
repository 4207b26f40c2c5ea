import { BankOutlined, TeamOutlined } from "@ant-design/icons";
import type { Area } from "../types";

/**
 * contacts is the contacts and accounts part of the console: their lists
 * (saved views, filters, bulk actions, export) and their 360° pages. Each
 * page is its own lazily loaded chunk.
 */
export const contacts: Area = {
  name: "contacts",
  routes: [
    { path: "contacts", lazy: async () => ({ Component: (await import("./ListPage")).ContactsList }) },
    { path: "contacts/:id", lazy: async () => ({ Component: (await import("./RecordPage")).ContactRecord }) },
    { path: "accounts", lazy: async () => ({ Component: (await import("./ListPage")).AccountsList }) },
    { path: "accounts/:id", lazy: async () => ({ Component: (await import("./RecordPage")).AccountRecord }) },
  ],
  menu: [
    { path: "/contacts", labelKey: "contacts.menu", icon: <TeamOutlined />, group: "main", order: 10, permission: "contacts:read" },
    { path: "/accounts", labelKey: "contacts.accounts.menu", icon: <BankOutlined />, group: "main", order: 11, permission: "contacts:read" },
  ],
  catalog: () => import("./catalog"),
};
