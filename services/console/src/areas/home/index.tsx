import { HomeOutlined } from "@ant-design/icons";
import type { Area } from "../types";

/** home is the page a user lands on: their day at a glance. */
export const home: Area = {
  name: "home",
  routes: [{ index: true, lazy: async () => ({ Component: (await import("./HomePage")).default }) }],
  menu: [{ path: "/", labelKey: "home.menu", icon: <HomeOutlined />, group: "main", order: 0 }],
  catalog: () => import("./catalog"),
};
