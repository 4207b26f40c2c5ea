import { BulbOutlined, DashboardOutlined, FieldTimeOutlined, LineChartOutlined } from "@ant-design/icons";
import { page, type Area } from "../types";

/**
 * reports is the reporting area: dashboards (built-in and saved, with an
 * editor), the report explorer, predictions with the models' status, and
 * scheduled deliveries. Its entries show to who holds reporting:read;
 * writing needs reporting:write, retraining and rebuilding reporting:admin.
 */
export const reports: Area = {
  name: "reports",
  routes: [
    page("reports/dashboards", () => import("./DashboardsPage")),
    page("reports/dashboards/new", () => import("./DashboardEditPage")),
    page("reports/dashboards/:id", () => import("./DashboardPage")),
    page("reports/dashboards/:id/edit", () => import("./DashboardEditPage")),
    page("reports/explorer", () => import("./ExplorerPage")),
    page("reports/predictions", () => import("./PredictionsPage")),
    page("reports/schedules", () => import("./SchedulesPage")),
  ],
  menu: [
    { path: "/reports/dashboards", labelKey: "reports.menu.dashboards", icon: <DashboardOutlined />, group: "insights", order: 10, permission: "reporting:read" },
    { path: "/reports/explorer", labelKey: "reports.menu.explorer", icon: <LineChartOutlined />, group: "insights", order: 20, permission: "reporting:read" },
    { path: "/reports/predictions", labelKey: "reports.menu.predictions", icon: <BulbOutlined />, group: "insights", order: 30, permission: "reporting:read" },
    { path: "/reports/schedules", labelKey: "reports.menu.schedules", icon: <FieldTimeOutlined />, group: "insights", order: 40, permission: "reporting:read" },
  ],
  catalog: () => import("./catalog"),
};
