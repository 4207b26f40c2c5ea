import type { components, operations } from "../../api/schema";
import { api, unwrap } from "../../api/client";
import { saveBlob } from "../../lib/download";

/** The reporting API's shapes the area's pages use (generated from the OpenAPI document). */
export type Report = components["schemas"]["Report"];
export type ReportColumn = components["schemas"]["ReportColumn"];
export type CatalogueEntry = components["schemas"]["ReportCatalogue"]["items"][number];
export type ReportRecord = components["schemas"]["ReportRecord"];
export type Freshness = components["schemas"]["Freshness"];
export type Dashboard = components["schemas"]["Dashboard"];
export type DashboardInput = components["schemas"]["DashboardInput"];
export type Widget = components["schemas"]["Widget"];
export type WidgetInput = components["schemas"]["WidgetInput"];
export type ChartType = Widget["chart"];
export type PredictionModel = components["schemas"]["PredictionModel"];
export type OpportunityPrediction = components["schemas"]["OpportunityPrediction"];
export type AccountPrediction = components["schemas"]["AccountPrediction"];
export type QueueForecast = components["schemas"]["QueueForecast"];
export type PredictionFactor = components["schemas"]["PredictionFactor"];
export type ReportSchedule = components["schemas"]["ReportSchedule"];
export type ReportScheduleInput = components["schemas"]["ReportScheduleInput"];
export type RebuildStatus = components["schemas"]["RebuildStatus"];

/** ReportQuery is a report's query parameters as the API types them. */
export type ReportQuery = NonNullable<operations["getReport"]["parameters"]["query"]>;

/** Params are a report's query parameters as strings (a widget's params). */
export type Params = Record<string, string>;

/** chartTypes are the charts a widget may draw. */
export const chartTypes: ChartType[] = ["funnel", "bar", "line", "area", "pie", "heatmap", "table", "number"];

/** ranges are the named periods a report takes instead of from and to. */
export const ranges: NonNullable<ReportQuery["range"]>[] = [
  "last_7_days", "last_30_days", "last_90_days", "this_month", "last_month", "this_quarter", "last_quarter", "this_year", "last_year", "last_12_months",
];

/** builtInDashboards are the built-in dashboards' ids, in the order the list shows them. */
export const builtInDashboards = ["sales-manager", "marketer", "support-manager"];

/** reportsKey is the query key of the area's data under part ("report", "dashboards" …). */
export function reportsKey(part: string, ...rest: unknown[]): unknown[] {
  return ["reports", part, ...rest];
}

/** cleanParams drops the empty parameters (an unset groupBy, from or to). */
export function cleanParams(params: Params): Params {
  return Object.fromEntries(Object.entries(params).filter(([, v]) => v !== ""));
}

/** fetchReport runs a report with params (GET /v1/reports/{name}). */
export function fetchReport(name: string, params: Params): Promise<Report> {
  return unwrap(api.GET("/v1/reports/{name}", { params: { path: { name }, query: cleanParams(params) as ReportQuery } })) as Promise<Report>;
}

/** fetchCatalogue lists the reports with what each takes. */
export function fetchCatalogue(): Promise<CatalogueEntry[]> {
  return unwrap(api.GET("/v1/reports")).then((c) => c.items);
}

/** exportFormats are the files a report downloads as, with the Accept header asking for each. */
export const exportFormats = {
  csv: "text/csv",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
} as const;

/** ExportFormat is csv or xlsx. */
export type ExportFormat = keyof typeof exportFormats;

/**
 * exportReport downloads a report with params as CSV or XLSX: it asks with
 * Accept (and Accept-Language zh for Chinese headers) through the API
 * client, which carries the in-memory token, and saves the blob under the
 * name Content-Disposition gives.
 */
export async function exportReport(name: string, params: Params, format: ExportFormat, zh: boolean): Promise<void> {
  const call = api.GET("/v1/reports/{name}", {
    params: { path: { name }, query: cleanParams(params) as ReportQuery, header: zh ? { "Accept-Language": "zh" } : undefined },
    headers: { Accept: exportFormats[format] },
    parseAs: "blob",
  });
  const blob = (await unwrap(call)) as unknown as Blob;
  const { response } = await call;
  const given = /filename="?([^";]+)"?/.exec(response.headers.get("Content-Disposition") ?? "")?.[1];
  saveBlob(blob, given ?? `${name}.${format}`);
}

/** Cell names one figure of a report: its period (periodic reports), group and measure (a column). */
export interface Cell {
  period?: string;
  group: string;
  measure: string;
  /** filter narrows the records further (a pipeline-stages row's stage). */
  filter?: string;
}

/** fetchRecords lists the records behind a figure (GET /v1/reports/{name}/records). */
export function fetchRecords(name: string, params: Params, cell: Cell): Promise<ReportRecord[]> {
  const query = { ...cleanParams(params), group: cell.group, measure: cell.measure, limit: 50 } as Record<string, string | number>;
  if (cell.period) query.period = cell.period;
  if (cell.filter) query.filter = cell.filter;
  return unwrap(api.GET("/v1/reports/{name}/records", { params: { path: { name }, query: query as never } })).then((r) => r.records);
}

/** recordPaths are the console's pages of the records a drill-down lists, by kind. */
const recordPaths: Record<string, string> = {
  opportunity: "/opportunities/",
  lead: "/leads/",
  contact: "/contacts/",
  account: "/accounts/",
  case: "/cases/",
  campaign: "/marketing/campaigns/",
};

/** recordPath is the console's page of a record, or undefined when it has none. */
export function recordPath(r: Pick<ReportRecord, "kind" | "id">): string | undefined {
  const base = recordPaths[r.kind];
  return base ? base + r.id : undefined;
}
