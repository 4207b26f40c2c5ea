import { SendOutlined } from "@ant-design/icons";
import { page, type Area } from "../types";

/**
 * webhooks is the administration of the tenant's webhook subscriptions:
 * the list, a subscription with its delivery log and each delivery's
 * attempts. The menu entry shows to who may read them (webhooks:read);
 * changes need webhooks:manage.
 */
export const webhooks: Area = {
  name: "webhooks",
  routes: [page("admin/webhooks", () => import("./SubscriptionsPage")), page("admin/webhooks/:id", () => import("./SubscriptionPage"))],
  menu: [{ path: "/admin/webhooks", labelKey: "webhooks.menu", icon: <SendOutlined />, group: "admin", order: 95, permission: "webhooks:read" }],
  catalog: () => import("./catalog"),
};
