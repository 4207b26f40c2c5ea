import { UploadOutlined } from "@ant-design/icons";
import { page, type Area } from "../types";

/** imports are the CSV import wizards of contacts (/import) and leads (/leads/import). */
export const imports: Area = {
  name: "imports",
  routes: [page("import", () => import("./ContactImportPage")), page("leads/import", () => import("./LeadImportPage"))],
  menu: [{ path: "/import", labelKey: "imports.menu", icon: <UploadOutlined />, group: "main", order: 40, permission: "contacts:write" }],
  catalog: () => import("./catalog"),
};
