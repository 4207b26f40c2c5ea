import { ApartmentOutlined, ClusterOutlined, FileTextOutlined, FlagOutlined, FormOutlined, FundOutlined, SendOutlined } from "@ant-design/icons";
import { page, type Area } from "../types";

/** marketing is the marketer's area: segments and lists, campaigns, templates, sends, web forms, journeys and the campaigns' ROI. */
export const marketing: Area = {
  name: "marketing",
  routes: [
    page("marketing/segments", () => import("./SegmentsPage")),
    page("marketing/segments/new", () => import("./SegmentPage")),
    page("marketing/segments/:id", () => import("./SegmentPage")),
    page("marketing/campaigns", () => import("./CampaignsPage")),
    page("marketing/campaigns/new", () => import("./CampaignPage")),
    page("marketing/campaigns/:id", () => import("./CampaignPage")),
    page("marketing/templates", () => import("./TemplatesPage")),
    page("marketing/templates/new", () => import("./TemplatePage")),
    page("marketing/templates/:id", () => import("./TemplatePage")),
    page("marketing/sends", () => import("./SendsPage")),
    page("marketing/sends/new", () => import("./SendWizard")),
    page("marketing/sends/:id", () => import("./SendPage")),
    page("marketing/forms", () => import("./FormsPage")),
    page("marketing/forms/new", () => import("./FormPage")),
    page("marketing/forms/:id", () => import("./FormPage")),
    page("marketing/roi", () => import("./RoiPage")),
    page("marketing/journeys", () => import("./JourneysPage")),
    page("marketing/journeys/new", () => import("./JourneyPage")),
    page("marketing/journeys/:id", () => import("./JourneyPage")),
  ],
  menu: [
    { path: "/marketing/segments", labelKey: "marketing.menu.segments", icon: <ClusterOutlined />, group: "marketing", order: 10, permission: "marketing:read" },
    { path: "/marketing/campaigns", labelKey: "marketing.menu.campaigns", icon: <FlagOutlined />, group: "marketing", order: 20, permission: "marketing:read" },
    { path: "/marketing/templates", labelKey: "marketing.menu.templates", icon: <FileTextOutlined />, group: "marketing", order: 30, permission: "marketing:read" },
    { path: "/marketing/sends", labelKey: "marketing.menu.sends", icon: <SendOutlined />, group: "marketing", order: 40, permission: "marketing:read" },
    { path: "/marketing/forms", labelKey: "marketing.menu.forms", icon: <FormOutlined />, group: "marketing", order: 50, permission: "marketing:read" },
    { path: "/marketing/roi", labelKey: "marketing.menu.roi", icon: <FundOutlined />, group: "marketing", order: 60, permission: "marketing:read" },
    { path: "/marketing/journeys", labelKey: "marketing.menu.journeys", icon: <ApartmentOutlined />, group: "marketing", order: 45, permission: "marketing:read" },
  ],
  catalog: () => import("./catalog"),
};
