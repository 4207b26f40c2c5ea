import { ProjectOutlined, UserAddOutlined } from "@ant-design/icons";
import { page, type Area } from "../types";

/** sales is the leads, the pipeline board and the opportunities. */
export const sales: Area = {
  name: "sales",
  routes: [
    page("leads", () => import("./LeadsPage")),
    page("leads/:id", () => import("./LeadPage")),
    page("board", () => import("./BoardPage")),
    page("pipelines/:id/board", () => import("./BoardPage")),
    page("opportunities/:id", () => import("./OpportunityPage")),
  ],
  menu: [
    { path: "/leads", labelKey: "sales.menu.leads", icon: <UserAddOutlined />, group: "sales", order: 10, permission: "sales:read" },
    { path: "/board", labelKey: "sales.menu.board", icon: <ProjectOutlined />, group: "sales", order: 20, permission: "sales:read" },
  ],
  catalog: () => import("./catalog"),
};
