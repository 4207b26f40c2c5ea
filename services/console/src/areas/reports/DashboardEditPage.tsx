import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, Input, Select, Space } from "antd";
import { useEffect, useState } from "react";
import { useNavigate, useParams } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import { ifMatch, mergePatch } from "../../api/headers";
import { ApiError } from "../../api/problem";
import { ErrorState } from "../../components/ErrorState";
import { useI18n } from "../../i18n/I18n";
import { chartTypes, fetchCatalogue, reportsKey, type CatalogueEntry, type Dashboard, type DashboardInput } from "./api";
import { byPlace } from "./DashboardPage";
import { move, place, type DraftWidget } from "./layout";
import { PageTitle } from "./PageTitle";
import { ParamsEditor } from "./ParamsEditor";

/** widths are the widget widths offered, in grid columns. */
const widths = [3, 4, 6, 8, 12];

/** problemLines writes a failed save's errors (widgets/0/report: …) as lines. */
function problemLines(e: unknown): string[] {
  if (e instanceof ApiError) return e.fields.length > 0 ? e.fields.map((f) => `${f.field}: ${f.reason}`) : [e.message];
  return [e instanceof Error ? e.message : String(e)];
}

/** WidgetEditor edits one draft widget: its title, report, the report's parameters, chart and width. */
function WidgetEditor({ i, w, catalogue, onChange, onMove, onRemove, count }: {
  i: number; w: DraftWidget; catalogue: CatalogueEntry[]; count: number;
  onChange: (w: DraftWidget) => void; onMove: (delta: number) => void; onRemove: () => void;
}) {
  const { t } = useI18n();
  const entry = catalogue.find((c) => c.name === w.report);
  return (
    <Card size="small" data-testid="widget-editor" data-index={i} style={{ marginBottom: 8 }}
      title={t("reports.widget.n", { n: i + 1 })}
      extra={
        <Space size={4}>
          <Button size="small" icon={<ArrowUpOutlined />} aria-label={t("reports.widget.up")} disabled={i === 0} onClick={() => onMove(-1)} data-testid="widget-up" />
          <Button size="small" icon={<ArrowDownOutlined />} aria-label={t("reports.widget.down")} disabled={i === count - 1} onClick={() => onMove(1)} data-testid="widget-down" />
          <Button size="small" danger icon={<DeleteOutlined />} aria-label={t("reports.widget.remove")} onClick={onRemove} data-testid="widget-remove" />
        </Space>
      }>
      <Space wrap align="end" style={{ marginBottom: 8 }}>
        <label>
          <div style={{ fontSize: 12 }}>{t("reports.widget.title")}</div>
          <Input id={`widget-${i}-title`} style={{ width: 240 }} value={w.title} maxLength={200} onChange={(e) => onChange({ ...w, title: e.target.value })} />
        </label>
        <label>
          <div style={{ fontSize: 12 }}>{t("reports.widget.report")}</div>
          <Select id={`widget-${i}-report`} style={{ width: 180 }} value={w.report} onChange={(v) => onChange({ ...w, report: v, params: {} })}
            options={catalogue.map((c) => ({ value: c.name, label: t(`reports.report.${c.name}`) }))} />
        </label>
        <label>
          <div style={{ fontSize: 12 }}>{t("reports.widget.chart")}</div>
          <Select id={`widget-${i}-chart`} style={{ width: 130 }} value={w.chart} onChange={(v) => onChange({ ...w, chart: v })}
            options={chartTypes.map((c) => ({ value: c, label: t(`reports.chart.${c}`) }))} />
        </label>
        <label>
          <div style={{ fontSize: 12 }}>{t("reports.widget.width")}</div>
          <Select id={`widget-${i}-width`} style={{ width: 110 }} value={w.w} onChange={(v) => onChange({ ...w, w: v })}
            options={widths.map((n) => ({ value: n, label: t("reports.widget.columns", { n }) }))} />
        </label>
      </Space>
      {entry && <ParamsEditor entry={entry} params={w.params} onChange={(params) => onChange({ ...w, params })} idPrefix={`widget-${i}`} />}
    </Card>
  );
}

/**
 * DashboardEditPage makes a new dashboard or changes a saved one: its
 * name, description, the roles it is shared with and its widgets (added,
 * removed, reordered, each a report with its parameters and a chart),
 * saved with POST or a merge PATCH under If-Match.
 */
export default function DashboardEditPage() {
  const { id } = useParams();
  const { t } = useI18n();
  const nav = useNavigate();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const catalogue = useQuery({ queryKey: reportsKey("catalogue"), queryFn: fetchCatalogue, staleTime: 5 * 60_000 });
  const stored = useQuery({ queryKey: reportsKey("dashboard", id), queryFn: () => unwrap(api.GET("/v1/dashboards/{id}", { params: { path: { id: id! } } })), enabled: !!id });
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [roles, setRoles] = useState<string[]>([]);
  const [widgets, setWidgets] = useState<DraftWidget[]>([]);
  const [errors, setErrors] = useState<string[]>([]);
  useEffect(() => {
    const d = stored.data;
    if (!d) return;
    setName(d.name);
    setDescription(d.description);
    setRoles(d.sharedRoles);
    setWidgets(byPlace(d.widgets).map((w) => ({ id: w.id, title: w.title, report: w.report, params: w.params, chart: w.chart, w: w.layout.w, h: w.layout.h })));
  }, [stored.data]);
  const save = useMutation({
    mutationFn: async (): Promise<Dashboard> => {
      const body: DashboardInput = { name: name.trim(), description, sharedRoles: roles, widgets: place(widgets) };
      if (!stored.data) return unwrap(api.POST("/v1/dashboards", { body }));
      return unwrap(api.PATCH("/v1/dashboards/{id}", { params: { path: { id: stored.data.id }, header: ifMatch(stored.data.version) }, headers: mergePatch, body: body as unknown as Record<string, never> }));
    },
    onSuccess: (d) => {
      void qc.invalidateQueries({ queryKey: reportsKey("dashboards") });
      qc.setQueryData(reportsKey("dashboard", d.id), d);
      message.success(t("reports.saved"));
      nav(`/reports/dashboards/${encodeURIComponent(d.id)}`);
    },
    onError: (e) => setErrors(problemLines(e)),
  });
  if (catalogue.isError) return <ErrorState error={catalogue.error} onRetry={() => catalogue.refetch()} />;
  if (stored.isError) return <ErrorState error={stored.error} onRetry={() => stored.refetch()} />;
  const first = catalogue.data?.[0]?.name ?? "funnel";
  return (
    <div data-testid="page-dashboard-edit">
      <PageTitle title={id ? t("reports.dashboard.editTitle") : t("reports.dashboards.new")}>
        <Button onClick={() => nav(id ? `/reports/dashboards/${encodeURIComponent(id)}` : "/reports/dashboards")}>{t("reports.cancel")}</Button>
        <Button type="primary" loading={save.isPending} disabled={name.trim() === ""} onClick={() => { setErrors([]); save.mutate(); }} data-testid="dashboard-save">
          {t("reports.save")}
        </Button>
      </PageTitle>
      {errors.length > 0 && <Alert type="error" showIcon style={{ marginBottom: 12 }} data-testid="dashboard-errors" message={errors.map((e) => <div key={e}>{e}</div>)} />}
      <Space direction="vertical" style={{ width: "100%", marginBottom: 12 }}>
        <label>
          <div>{t("reports.dashboard.name")}</div>
          <Input id="dashboard-name" value={name} maxLength={200} onChange={(e) => setName(e.target.value)} status={name.trim() === "" ? "warning" : undefined} />
        </label>
        <label>
          <div>{t("reports.dashboard.description")}</div>
          <Input.TextArea id="dashboard-description" value={description} maxLength={2000} autoSize onChange={(e) => setDescription(e.target.value)} />
        </label>
        <label>
          <div>{t("reports.dashboard.sharedRoles")}</div>
          <Select id="dashboard-roles" mode="tags" style={{ width: "100%" }} value={roles} onChange={setRoles} placeholder={t("reports.dashboard.sharedRolesHint")} />
        </label>
      </Space>
      {widgets.map((w, i) => (
        <WidgetEditor key={i} i={i} w={w} count={widgets.length} catalogue={catalogue.data ?? []}
          onChange={(nw) => setWidgets(widgets.map((x, j) => (j === i ? nw : x)))}
          onMove={(delta) => setWidgets(move(widgets, i, delta))}
          onRemove={() => setWidgets(widgets.filter((_, j) => j !== i))} />
      ))}
      <Button icon={<PlusOutlined />} onClick={() => setWidgets([...widgets, { title: "", report: first, params: {}, chart: "bar", w: 6, h: 4 }])} data-testid="widget-add">
        {t("reports.widget.add")}
      </Button>
    </div>
  );
}
