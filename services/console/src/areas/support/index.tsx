import { BookOutlined, CustomerServiceOutlined } from "@ant-design/icons";
import { page, type Area } from "../types";

/** support is the service desk: the agent's cases with their SLA clocks, and the knowledge base. */
export const support: Area = {
  name: "support",
  routes: [
    page("cases", () => import("./CasesPage")),
    page("cases/:id", () => import("./CasePage")),
    page("kb", () => import("./KBPage")),
    page("kb/new", () => import("./ArticlePage")),
    page("kb/:id", () => import("./ArticlePage")),
  ],
  menu: [
    { path: "/cases", labelKey: "support.menu.cases", icon: <CustomerServiceOutlined />, group: "service", order: 10, permission: "support:read" },
    { path: "/kb", labelKey: "support.menu.kb", icon: <BookOutlined />, group: "service", order: 20, permission: "support:read" },
  ],
  catalog: () => import("./catalog"),
};
