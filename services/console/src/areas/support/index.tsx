import { BookOutlined, ClockCircleOutlined, CommentOutlined, CustomerServiceOutlined, FieldTimeOutlined, MessageOutlined, SafetyCertificateOutlined, SmileOutlined, ToolOutlined } from "@ant-design/icons";
import { page, type Area } from "../types";

/** support is the service desk: the agent's cases with their SLA clocks, the knowledge base, service contracts, work orders and survey results, the SLA's policies and calendars, and macros (canned replies). */
export const support: Area = {
  name: "support",
  routes: [
    page("cases", () => import("./CasesPage")),
    page("cases/:id", () => import("./CasePage")),
    page("chats", () => import("./ChatsPage")),
    page("kb", () => import("./KBPage")),
    page("kb/new", () => import("./ArticlePage")),
    page("kb/:id", () => import("./ArticlePage")),
    page("service-contracts", () => import("./ContractsPage")),
    page("work-orders", () => import("./WorkOrdersPage")),
    page("surveys", () => import("./SurveysPage")),
    page("admin/business-calendars", () => import("./CalendarsPage")),
    page("admin/sla-policies", () => import("./PoliciesPage")),
    page("admin/macros", () => import("./MacrosPage")),
  ],
  menu: [
    { path: "/cases", labelKey: "support.menu.cases", icon: <CustomerServiceOutlined />, group: "service", order: 10, permission: "support:read" },
    { path: "/chats", labelKey: "support.menu.chats", icon: <CommentOutlined />, group: "service", order: 15, permission: "support:write" },
    { path: "/kb", labelKey: "support.menu.kb", icon: <BookOutlined />, group: "service", order: 20, permission: "support:read" },
    { path: "/service-contracts", labelKey: "support.menu.contracts", icon: <SafetyCertificateOutlined />, group: "service", order: 30, permission: "support:read" },
    { path: "/work-orders", labelKey: "support.menu.workOrders", icon: <ToolOutlined />, group: "service", order: 40, permission: "support:read" },
    { path: "/surveys", labelKey: "support.menu.surveys", icon: <SmileOutlined />, group: "service", order: 50, permission: "support:read" },
    { path: "/admin/sla-policies", labelKey: "support.menu.policies", icon: <FieldTimeOutlined />, group: "admin", order: 75, permission: "support:admin" },
    { path: "/admin/business-calendars", labelKey: "support.menu.calendars", icon: <ClockCircleOutlined />, group: "admin", order: 76, permission: "support:admin" },
    { path: "/admin/macros", labelKey: "support.menu.macros", icon: <MessageOutlined />, group: "admin", order: 77, permission: "support:write" },
  ],
  catalog: () => import("./catalog"),
};
