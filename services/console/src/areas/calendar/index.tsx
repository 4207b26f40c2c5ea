import { CalendarOutlined, CheckSquareOutlined } from "@ant-design/icons";
import { page, type Area } from "../types";

/** calendar is the meetings and tasks of a person or a team by week or month (/calendar), and the open tasks (/tasks). */
export const calendar: Area = {
  name: "calendar",
  routes: [page("calendar", () => import("./CalendarPage")), page("tasks", () => import("./TasksPage"))],
  menu: [
    { path: "/calendar", labelKey: "calendar.menu", icon: <CalendarOutlined />, group: "main", order: 10, permission: "contacts:read" },
    { path: "/tasks", labelKey: "calendar.menuTasks", icon: <CheckSquareOutlined />, group: "main", order: 11, permission: "contacts:read" },
  ],
  catalog: () => import("./catalog"),
};
