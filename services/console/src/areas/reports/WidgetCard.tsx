import { DownloadOutlined, TableOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { App, Button, Card, Dropdown, Empty, Space, Statistic, Typography } from "antd";
import { useMemo, useState } from "react";
import { ErrorState } from "../../components/ErrorState";
import { useI18n } from "../../i18n/I18n";
import { formatDateTime } from "../../lib/dates";
import { exportReport, fetchReport, reportsKey, type ChartType, type ExportFormat, type Params, type Report } from "./api";
import { DrillDrawer, type Drill } from "./DrillDrawer";
import { additive, cellOf, figures, measures, type Figure } from "./figures";
import { columnLabel, formatCell } from "./format";
import { ReportChart } from "./ReportChart";
import { ReportTable } from "./ReportTable";
import { useGroupLabel } from "./useGroupLabel";

/** ReportView is what a widget or the explorer draws: a report with its params as a chart. */
export interface ReportView {
  id: string;
  title: string;
  report: string;
  params: Params;
  chart: ChartType;
}

/** Numbers shows a report's measures as big figures: a single row's values, else the counts and amounts summed. */
function Numbers({ report, onFigure }: { report: Report; onFigure: (f: Figure) => void }) {
  const { locale } = useI18n();
  const one = report.rows.length === 1;
  const cols = one ? report.columns.filter((c) => c.type !== "period" && c.type !== "string").slice(0, 6) : measures(report).filter(additive);
  return (
    <Space wrap size="large" data-testid="report-numbers">
      {cols.map((c) => {
        const v = one ? report.rows[0][c.name] : report.rows.reduce((s, row) => s + Number(row[c.name] || 0), 0);
        const cells = report.rows.map((row) => cellOf(report, row, c.name));
        return (
          <div key={c.name} role="button" tabIndex={0} style={{ cursor: "pointer" }} data-testid={`number-${c.name}`}
            onClick={() => onFigure({ label: columnLabel(c, locale), value: Number(v) || 0, cells })}
            onKeyDown={(e) => e.key === "Enter" && onFigure({ label: columnLabel(c, locale), value: Number(v) || 0, cells })}>
            <Statistic title={columnLabel(c, locale)} value={formatCell(v, c.type, report.currency, locale)} />
          </div>
        );
      })}
    </Space>
  );
}

/**
 * ReportBody draws a fetched report as its chart (or table, or numbers),
 * with a drill-down drawer for the figure clicked and, beside a chart, the
 * same figures as a table on demand.
 */
export function ReportBody({ view, report, showTable }: { view: ReportView; report: Report; showTable: boolean }) {
  const { t } = useI18n();
  const label = useGroupLabel(report);
  const [drill, setDrill] = useState<Drill | null>(null);
  const figs = useMemo(() => figures(report, view.chart, label), [report, view.chart, label]);
  const open = (title: string, cells: Drill["cells"]) => setDrill({ report: view.report, params: view.params, cells, title });
  let body;
  if (report.rows.length === 0) body = <Empty description={t("reports.noData")} />;
  else if (view.chart === "table") body = <ReportTable report={report} label={label} drill onCell={(c, title) => open(title, [c])} />;
  else if (view.chart === "number") body = <Numbers report={report} onFigure={(f) => open(f.label, f.cells)} />;
  else body = <ReportChart chart={view.chart} figures={figs} label={view.title} onFigure={(f) => open(f.label, f.cells)} />;
  return (
    <>
      <div style={{ height: view.chart === "table" || view.chart === "number" || report.rows.length === 0 ? undefined : 300 }}>{body}</div>
      {showTable && view.chart !== "table" && report.rows.length > 0 && (
        <div style={{ marginTop: 8 }} data-testid="widget-data">
          <ReportTable report={report} label={label} drill onCell={(c, title) => open(title, [c])} />
        </div>
      )}
      <DrillDrawer drill={drill} onClose={() => setDrill(null)} />
    </>
  );
}

/** ExportMenu downloads a report with params as CSV or XLSX. */
export function ExportMenu({ report, params, testId }: { report: string; params: Params; testId: string }) {
  const { t, locale } = useI18n();
  const { message } = App.useApp();
  const run = async (f: ExportFormat) => {
    try {
      await exportReport(report, params, f, locale === "zh-CN");
    } catch (e) {
      message.error(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <Dropdown
      trigger={["click"]}
      menu={{
        items: [
          { key: "csv", label: <span data-testid={`${testId}-csv`}>{t("reports.export.csv")}</span> },
          { key: "xlsx", label: <span data-testid={`${testId}-xlsx`}>{t("reports.export.xlsx")}</span> },
        ],
        onClick: ({ key }) => void run(key as ExportFormat),
      }}
    >
      <Button size="small" icon={<DownloadOutlined />} aria-label={t("reports.export")} data-testid={testId} />
    </Dropdown>
  );
}

/** AsOf says how fresh a report's figures are ("data as of …"). */
export function AsOf({ asOf }: { asOf: string | null | undefined }) {
  const { t, locale } = useI18n();
  return (
    <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="as-of" data-as-of={asOf ?? ""}>
      {asOf ? t("reports.asOf", { time: formatDateTime(asOf, locale) }) : t("reports.asOf.none")}
    </Typography.Text>
  );
}

/**
 * WidgetCard is one widget of a dashboard: it fetches its report (GET
 * /v1/reports/{report} with its params) and draws it, with its freshness,
 * a CSV/XLSX export and its data as a table on demand.
 */
export function WidgetCard({ view }: { view: ReportView }) {
  const { t } = useI18n();
  const [showTable, setShowTable] = useState(false);
  const q = useQuery({ queryKey: reportsKey("report", view.report, view.params), queryFn: () => fetchReport(view.report, view.params) });
  return (
    <Card
      size="small"
      title={view.title}
      data-testid="widget"
      data-widget={view.id}
      data-report={view.report}
      extra={
        <Space size={4}>
          {view.chart !== "table" && (
            <Button size="small" icon={<TableOutlined />} aria-label={t("reports.widget.data")} aria-pressed={showTable} onClick={() => setShowTable((s) => !s)} data-testid="widget-toggle-data" />
          )}
          <ExportMenu report={view.report} params={view.params} testId="widget-export" />
        </Space>
      }
      loading={q.isLoading}
      style={{ height: "100%" }}
    >
      {q.isError ? <ErrorState error={q.error} onRetry={() => q.refetch()} /> : q.data && (
        <>
          <ReportBody view={view} report={q.data} showTable={showTable} />
          <div style={{ marginTop: 4 }}><AsOf asOf={q.data.asOf} /></div>
        </>
      )}
    </Card>
  );
}
