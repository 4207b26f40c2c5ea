import { useQuery } from "@tanstack/react-query";
import { Card, Empty, Select, Space } from "antd";
import { useState } from "react";
import { ErrorState } from "../../components/ErrorState";
import { useI18n } from "../../i18n/I18n";
import { chartTypes, fetchCatalogue, fetchReport, reportsKey, type ChartType, type Params } from "./api";
import { Freshness } from "./Freshness";
import { PageTitle } from "./PageTitle";
import { ParamsEditor } from "./ParamsEditor";
import { AsOf, ExportMenu, ReportBody } from "./WidgetCard";

/**
 * ExplorerPage runs any report of the catalogue with the parameters chosen
 * (range or from/to, interval, groupBy, its own extras) and shows it as a
 * chart and a table, with drill-down and a CSV/XLSX export.
 */
export default function ExplorerPage() {
  const { t } = useI18n();
  const [name, setName] = useState("funnel");
  const [params, setParams] = useState<Params>({ range: "last_12_months" });
  const [chart, setChart] = useState<ChartType>("bar");
  const catalogue = useQuery({ queryKey: reportsKey("catalogue"), queryFn: fetchCatalogue, staleTime: 5 * 60_000 });
  const entry = catalogue.data?.find((c) => c.name === name);
  const q = useQuery({ queryKey: reportsKey("report", name, params), queryFn: () => fetchReport(name, params), enabled: !!entry });
  return (
    <div data-testid="page-explorer">
      <PageTitle title={t("reports.explorer.title")}>
        <ExportMenu report={name} params={params} testId="explorer-export" />
      </PageTitle>
      <Freshness />
      {catalogue.isError && <ErrorState error={catalogue.error} onRetry={() => catalogue.refetch()} />}
      <Space wrap align="end" style={{ marginBottom: 12 }}>
        <label style={{ display: "inline-flex", flexDirection: "column", gap: 2 }}>
          <span style={{ fontSize: 12 }}>{t("reports.widget.report")}</span>
          <Select id="explorer-report" style={{ width: 200 }} value={name} onChange={(v) => { setName(v); setParams({ range: "last_12_months" }); }}
            options={(catalogue.data ?? []).map((c) => ({ value: c.name, label: t(`reports.report.${c.name}`) }))} />
        </label>
        <label style={{ display: "inline-flex", flexDirection: "column", gap: 2 }}>
          <span style={{ fontSize: 12 }}>{t("reports.widget.chart")}</span>
          <Select id="explorer-chart" style={{ width: 130 }} value={chart} onChange={setChart}
            options={chartTypes.filter((c) => c !== "table").map((c) => ({ value: c, label: t(`reports.chart.${c}`) }))} />
        </label>
      </Space>
      {entry && <div style={{ marginBottom: 12 }}><ParamsEditor entry={entry} params={params} onChange={setParams} idPrefix="explorer" /></div>}
      <Card size="small" loading={q.isLoading} data-testid="explorer-result" data-widget="explorer">
        {q.isError ? (
          <ErrorState error={q.error} onRetry={() => q.refetch()} />
        ) : q.data ? (
          <>
            <ReportBody view={{ id: "explorer", title: t(`reports.report.${name}`), report: name, params, chart }} report={q.data} showTable />
            <AsOf asOf={q.data.asOf} />
          </>
        ) : (
          <Empty />
        )}
      </Card>
    </div>
  );
}
