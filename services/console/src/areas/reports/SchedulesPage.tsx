import { DeleteOutlined, EditOutlined, PlusOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { App, Button, Form, Input, InputNumber, Modal, Radio, Select, Space, Table, Typography } from "antd";
import { useState } from "react";
import { api, unwrap } from "../../api/client";
import { ifMatch, mergePatch } from "../../api/headers";
import { useSession } from "../../auth/session";
import { ErrorState } from "../../components/ErrorState";
import { useI18n } from "../../i18n/I18n";
import { formatDateTime } from "../../lib/dates";
import { applyProblem } from "../../lib/forms";
import { fetchCatalogue, reportsKey, type Params, type ReportSchedule, type ReportScheduleInput } from "./api";
import { ordered } from "./DashboardsPage";
import { PageTitle } from "./PageTitle";
import { ParamsEditor } from "./ParamsEditor";

/** weekdays are a weekly schedule's days. */
const weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] as const;

/** Values are the schedule form's fields. */
interface Values {
  name?: string;
  target: "dashboard" | "report";
  dashboardId?: string;
  report?: string;
  format: "xlsx" | "csv";
  language: "en" | "zh";
  frequency: "daily" | "weekly" | "monthly";
  hour: number;
  weekday?: ReportScheduleInput["weekday"];
  dayOfMonth?: number;
  recipients: string[];
}

/** input makes the schedule's body from the form and the report's parameters. */
function input(v: Values, params: Params): ReportScheduleInput {
  const body: ReportScheduleInput = { format: v.format, language: v.language, frequency: v.frequency, hour: v.hour, recipients: v.recipients };
  if (v.name) body.name = v.name;
  if (v.target === "dashboard") body.dashboardId = v.dashboardId;
  else {
    body.report = v.report;
    body.params = params;
  }
  if (v.frequency === "weekly") body.weekday = v.weekday;
  if (v.frequency === "monthly") body.dayOfMonth = v.dayOfMonth;
  return body;
}

/** ScheduleForm creates or changes a schedule in a dialog. */
function ScheduleForm({ editing, onClose }: { editing: ReportSchedule | "new"; onClose: () => void }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const stored = editing === "new" ? undefined : editing;
  const [params, setParams] = useState<Params>(stored?.params ?? { range: "last_30_days" });
  const target = Form.useWatch("target", form);
  const report = Form.useWatch("report", form);
  const frequency = Form.useWatch("frequency", form);
  const catalogue = useQuery({ queryKey: reportsKey("catalogue"), queryFn: fetchCatalogue, staleTime: 5 * 60_000 });
  const dashboards = useQuery({ queryKey: reportsKey("dashboards"), queryFn: () => unwrap(api.GET("/v1/dashboards", { params: { query: { limit: 200 } } })) });
  const save = useMutation({
    mutationFn: (v: Values) => {
      const body = input(v, params);
      if (!stored) return unwrap(api.POST("/v1/report-schedules", { body }));
      return unwrap(api.PATCH("/v1/report-schedules/{id}", { params: { path: { id: stored.id }, header: ifMatch(stored.version) }, headers: mergePatch, body: body as unknown as Record<string, never> }));
    },
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: reportsKey("schedules") });
      message.success(t("reports.saved"));
      onClose();
    },
    onError: (e) => {
      const rest = applyProblem(form, e);
      if (rest) message.error(rest);
    },
  });
  const entry = catalogue.data?.find((c) => c.name === report);
  return (
    <Modal open title={stored ? t("reports.schedules.edit") : t("reports.schedules.new")} onCancel={onClose} onOk={() => form.submit()} confirmLoading={save.isPending} width={720} okButtonProps={{ "data-testid": "schedule-save" } as Record<string, string>}>
      <Form<Values> form={form} layout="vertical" name="schedule" onFinish={(v) => save.mutate(v)}
        initialValues={{
          name: stored?.name, target: stored?.report ? "report" : "dashboard", dashboardId: stored?.dashboardId, report: stored?.report,
          format: stored?.format ?? "xlsx", language: stored?.language ?? "en", frequency: stored?.frequency ?? "weekly", hour: stored?.hour ?? 8,
          weekday: (stored?.weekday as Values["weekday"]) ?? "monday", dayOfMonth: stored?.dayOfMonth ?? 1, recipients: stored?.recipients ?? [],
        }}>
        <Form.Item name="name" label={t("reports.schedules.name")}><Input maxLength={200} /></Form.Item>
        <Form.Item name="target" label={t("reports.schedules.what")}>
          <Radio.Group options={[{ value: "dashboard", label: t("reports.schedules.dashboard") }, { value: "report", label: t("reports.schedules.report") }]} />
        </Form.Item>
        {target === "report" ? (
          <>
            <Form.Item name="report" label={t("reports.widget.report")} rules={[{ required: true, message: t("reports.required") }]}>
              <Select options={(catalogue.data ?? []).map((c) => ({ value: c.name, label: t(`reports.report.${c.name}`) }))} onChange={() => setParams({ range: "last_30_days" })} />
            </Form.Item>
            {entry && <div style={{ marginBottom: 16 }}><ParamsEditor entry={entry} params={params} onChange={setParams} idPrefix="schedule" /></div>}
          </>
        ) : (
          <Form.Item name="dashboardId" label={t("reports.schedules.dashboard")} rules={[{ required: true, message: t("reports.required") }]}>
            <Select options={ordered(dashboards.data?.items ?? []).map((d) => ({ value: d.id, label: d.name }))} />
          </Form.Item>
        )}
        <Space wrap>
          <Form.Item name="format" label={t("reports.schedules.format")}><Select style={{ width: 100 }} options={[{ value: "xlsx", label: "XLSX" }, { value: "csv", label: "CSV" }]} /></Form.Item>
          <Form.Item name="language" label={t("reports.schedules.language")}><Select style={{ width: 120 }} options={[{ value: "en", label: "English" }, { value: "zh", label: "简体中文" }]} /></Form.Item>
          <Form.Item name="frequency" label={t("reports.schedules.frequency")}>
            <Select style={{ width: 130 }} options={(["daily", "weekly", "monthly"] as const).map((f) => ({ value: f, label: t(`reports.schedules.frequency.${f}`) }))} />
          </Form.Item>
          {frequency === "weekly" && (
            <Form.Item name="weekday" label={t("reports.schedules.weekday")}>
              <Select style={{ width: 140 }} options={weekdays.map((d) => ({ value: d, label: t(`reports.weekday.${d}`) }))} />
            </Form.Item>
          )}
          {frequency === "monthly" && <Form.Item name="dayOfMonth" label={t("reports.schedules.dayOfMonth")}><InputNumber min={1} max={31} /></Form.Item>}
          <Form.Item name="hour" label={t("reports.schedules.hour")}><InputNumber min={0} max={23} /></Form.Item>
        </Space>
        <Form.Item name="recipients" label={t("reports.schedules.recipients")} rules={[{ required: true, message: t("reports.required") }]}>
          <Select mode="tags" tokenSeparators={[",", " "]} placeholder="name@example.com" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** SchedulesPage lists the user's report schedules (an admin's every one) and creates, changes and deletes them. */
export default function SchedulesPage() {
  const { t, locale } = useI18n();
  const { can } = useSession();
  const qc = useQueryClient();
  const { message, modal } = App.useApp();
  const [editing, setEditing] = useState<ReportSchedule | "new" | null>(null);
  const q = useQuery({ queryKey: reportsKey("schedules"), queryFn: () => unwrap(api.GET("/v1/report-schedules", { params: { query: { limit: 200 } } })) });
  const remove = useMutation({
    mutationFn: (s: ReportSchedule) => unwrap(api.DELETE("/v1/report-schedules/{id}", { params: { path: { id: s.id }, header: ifMatch(s.version) } })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: reportsKey("schedules") }),
    onError: (e) => message.error(e.message),
  });
  const writer = can("reporting:write");
  const when = (s: ReportSchedule) =>
    s.frequency === "weekly" ? t("reports.schedules.whenWeekly", { day: t(`reports.weekday.${s.weekday}`), hour: s.hour })
      : s.frequency === "monthly" ? t("reports.schedules.whenMonthly", { day: s.dayOfMonth ?? 1, hour: s.hour })
      : t("reports.schedules.whenDaily", { hour: s.hour });
  return (
    <div data-testid="page-schedules">
      <PageTitle title={t("reports.schedules.title")}>
        {writer && <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing("new")} data-testid="schedule-new">{t("reports.schedules.new")}</Button>}
      </PageTitle>
      {q.isError ? (
        <ErrorState error={q.error} onRetry={() => q.refetch()} />
      ) : (
        <Table<ReportSchedule>
          size="middle" rowKey="id" loading={q.isLoading} dataSource={q.data?.items ?? []} pagination={false} scroll={{ x: "max-content" }}
          onRow={() => ({ "data-testid": "schedule-row" }) as object}
          locale={{ emptyText: t("reports.schedules.empty") }}
          columns={[
            { title: t("reports.schedules.name"), key: "name", render: (_: unknown, s) => s.name },
            { title: t("reports.schedules.format"), key: "format", render: (_: unknown, s) => s.format.toUpperCase() },
            { title: t("reports.schedules.frequency"), key: "when", render: (_: unknown, s) => when(s) },
            { title: t("reports.schedules.recipients"), key: "to", render: (_: unknown, s) => s.recipients.join(", ") },
            { title: t("reports.schedules.nextRun"), key: "next", render: (_: unknown, s) => formatDateTime(s.nextRunAt, locale) },
            {
              title: t("reports.schedules.lastRun"), key: "last",
              render: (_: unknown, s) => (s.lastRunAt ? <>{formatDateTime(s.lastRunAt, locale)} {s.lastError && <Typography.Text type="danger">{s.lastError}</Typography.Text>}</> : "—"),
            },
            {
              title: t("reports.actions"), key: "actions",
              render: (_: unknown, s) => writer && (
                <Space>
                  <Button size="small" icon={<EditOutlined />} aria-label={t("reports.edit")} onClick={() => setEditing(s)} />
                  <Button size="small" danger icon={<DeleteOutlined />} aria-label={t("reports.delete")}
                    onClick={() => modal.confirm({ title: t("reports.schedules.deleteConfirm"), okButtonProps: { danger: true }, onOk: () => remove.mutateAsync(s) })} />
                </Space>
              ),
            },
          ]}
        />
      )}
      {editing && <ScheduleForm editing={editing} onClose={() => setEditing(null)} />}
    </div>
  );
}
