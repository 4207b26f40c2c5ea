import { AuditOutlined, BookOutlined, FileTextOutlined, LineChartOutlined, ShoppingOutlined } from "@ant-design/icons";
import { page, type Area } from "../types";

/** quotes is the catalogue (products, price books), quotes with their approvals, and the forecasts. */
export const quotes: Area = {
  name: "quotes",
  routes: [
    page("products", () => import("./ProductsPage")),
    page("price-books", () => import("./PriceBooksPage")),
    page("price-books/:id", () => import("./PriceBookPage")),
    page("quotes", () => import("./QuotesPage")),
    page("quotes/new", () => import("./QuoteNewPage")),
    page("quotes/:id", () => import("./QuotePage")),
    page("approvals", () => import("./ApprovalsPage")),
    page("forecasts", () => import("./ForecastsPage")),
  ],
  menu: [
    { path: "/quotes", labelKey: "quotes.menu.quotes", icon: <FileTextOutlined />, group: "sales", order: 40, permission: "sales:read" },
    { path: "/approvals", labelKey: "quotes.menu.approvals", icon: <AuditOutlined />, group: "sales", order: 45, permission: "sales:read" },
    { path: "/forecasts", labelKey: "quotes.menu.forecasts", icon: <LineChartOutlined />, group: "sales", order: 50, permission: "sales:read" },
    { path: "/products", labelKey: "quotes.menu.products", icon: <ShoppingOutlined />, group: "sales", order: 60, permission: "sales:read" },
    { path: "/price-books", labelKey: "quotes.menu.priceBooks", icon: <BookOutlined />, group: "sales", order: 70, permission: "sales:read" },
  ],
  catalog: () => import("./catalog"),
};
