import { PlusOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { Button, Form, Input, InputNumber, List, Select, Space, Switch, Tag, Typography } from "antd";
import { useState } from "react";
import type { components } from "../../api/schema";
import { api, unwrap } from "../../api/client";
import { useSession } from "../../auth/session";
import { ErrorState } from "../../components/ErrorState";
import { useI18n } from "../../i18n/I18n";
import { FormDialog, useDialogSave } from "../quotes/FormDialog";
import { casePriorities, ifMatch, mergePatch, type CasePriority } from "./api";
import type { SLAPolicy } from "./calendar";
import { formatSpan } from "./sla";

/** targets are a policy's targets, as its fields name them. */
const targets = ["firstResponse", "nextResponse", "resolution"] as const;

/** PolicyValues are the policy dialog's fields: minutes by "<target>_<priority>". */
type PolicyValues = {
  name: string;
  position: number;
  active: boolean;
  calendarId: string;
  priorities: CasePriority[];
  warnBeforeMinutes: number;
  escalation?: "raisePriority" | "notifyManager";
} & Record<string, unknown>;

/** toInput writes the dialog's values as the API's policy, keeping its reassignments (which the dialog does not edit). */
function toInput(v: PolicyValues, kept: NonNullable<SLAPolicy["escalations"]>): components["schemas"]["SLAPolicyFields"] {
  const byTarget = Object.fromEntries(
    targets.map((tg) => [tg, Object.fromEntries(casePriorities.flatMap((p) => (typeof v[`${tg}_${p}`] === "number" ? [[p, v[`${tg}_${p}`] as number]] : [])))]),
  );
  const others = kept.filter((e) => e.action === "reassignTo");
  return {
    name: v.name,
    position: v.position,
    active: v.active,
    calendarId: v.calendarId,
    conditions: { priorities: v.priorities ?? [] },
    targets: byTarget,
    warnBeforeMinutes: v.warnBeforeMinutes,
    escalations: v.escalation ? [...others, { action: v.escalation }] : others,
  };
}

/**
 * PoliciesPage lists the SLA policies in the order a new case is matched
 * against them, with their targets by priority, and — for support:admin —
 * creates and edits them: the calendar, the priorities they apply to, the
 * first-response, next-response and resolution minutes per priority, the
 * warning before a breach and the escalation after it.
 */
export default function PoliciesPage() {
  const { t, locale } = useI18n();
  const { can } = useSession();
  const [editing, setEditing] = useState<SLAPolicy | "new" | null>(null);
  const list = useQuery({ queryKey: ["support", "sla-policies"], queryFn: () => unwrap(api.GET("/v1/sla-policies")) });
  const calendars = useQuery({ queryKey: ["support", "calendars"], queryFn: () => unwrap(api.GET("/v1/business-calendars")) });
  const calendarName = (id: string) => calendars.data?.items.find((c) => c.id === id)?.name ?? id;
  return (
    <div data-testid="page-sla-policies">
      <Space style={{ width: "100%", justifyContent: "space-between", flexWrap: "wrap", marginBottom: 12 }}>
        <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
          {t("support.policies.title")}
        </Typography.Title>
        {can("support:admin") && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing("new")} disabled={!calendars.data?.items.length} data-testid="policy-new">
            {t("support.policies.new")}
          </Button>
        )}
      </Space>
      {list.isError ? (
        <ErrorState error={list.error} onRetry={() => list.refetch()} />
      ) : (
        <List
          loading={list.isLoading}
          aria-label={t("support.policies.title")}
          dataSource={list.data?.items ?? []}
          rowKey="id"
          locale={{ emptyText: <Typography.Text type="secondary">{t("support.policies.none")}</Typography.Text> }}
          renderItem={(p) => (
            <List.Item data-testid="row" actions={can("support:admin") ? [<Button key="edit" size="small" onClick={() => setEditing(p)}>{t("action.edit")}</Button>] : undefined}>
              <List.Item.Meta
                title={
                  <Space wrap size={4}>
                    {p.name}
                    {!p.active && <Tag>{t("support.policies.inactive")}</Tag>}
                  </Space>
                }
                description={
                  <Space direction="vertical" size={0}>
                    <Typography.Text type="secondary">
                      {calendarName(p.calendarId ?? "")} · {p.conditions?.priorities?.length ? p.conditions.priorities.map((x) => t(`support.priority.${x}`)).join(", ") : t("support.policies.anyPriority")}
                    </Typography.Text>
                    {targets.map((tg) => {
                      const m = p.targets?.[tg];
                      if (!m || Object.keys(m).length === 0) return null;
                      return (
                        <Typography.Text type="secondary" key={tg}>
                          {t(`support.policies.target.${tg}`)}:{" "}
                          {casePriorities
                            .filter((x) => m[x])
                            .map((x) => `${t(`support.priority.${x}`)} ${formatSpan(m[x]! * 60_000, locale)}`)
                            .join(" · ")}
                        </Typography.Text>
                      );
                    })}
                  </Space>
                }
              />
            </List.Item>
          )}
        />
      )}
      {editing && <PolicyDialog policy={editing === "new" ? undefined : editing} calendars={(calendars.data?.items ?? []).map((c) => ({ value: c.id, label: c.name ?? c.id }))} onClose={() => setEditing(null)} />}
    </div>
  );
}

/** PolicyDialog creates a policy or changes one (a merge patch with If-Match). */
function PolicyDialog({ policy: p, calendars, onClose }: { policy?: SLAPolicy; calendars: { value: string; label: string }[]; onClose: () => void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<PolicyValues>();
  const kept = p?.escalations ?? [];
  const save = useDialogSave<PolicyValues>({
    form,
    queryKey: ["support", "sla-policies"],
    onClose,
    version: p ? async () => (await unwrap(api.GET("/v1/sla-policies/{id}", { params: { path: { id: p.id } } }))).version : undefined,
    write: (v, version) =>
      p
        ? unwrap(api.PATCH("/v1/sla-policies/{id}", { params: { path: { id: p.id }, header: ifMatch(version ?? p.version) }, headers: mergePatch, body: toInput(v, kept) }))
        : // The generated input type is the fields and Record<string, never> (its allOf's required-only part).
          unwrap(api.POST("/v1/sla-policies", { body: toInput(v, kept) as components["schemas"]["SLAPolicyInput"] })),
  });
  const minutes = Object.fromEntries(targets.flatMap((tg) => casePriorities.map((x) => [`${tg}_${x}`, p?.targets?.[tg]?.[x]])));
  const escalation = kept.find((e) => e.action !== "reassignTo")?.action as PolicyValues["escalation"];
  const initial: Partial<PolicyValues> = p
    ? { name: p.name, position: p.position, active: p.active, calendarId: p.calendarId, priorities: p.conditions?.priorities ?? [], warnBeforeMinutes: p.warnBeforeMinutes, escalation, ...minutes }
    : { position: 0, active: true, calendarId: calendars[0]?.value, priorities: [], warnBeforeMinutes: 30, firstResponse_normal: 240, resolution_normal: 2880 };
  return (
    <FormDialog title={p ? t("support.policies.edit") : t("support.policies.new")} form={form} save={save} okTestId="policy-save" onClose={onClose} initialValues={initial}>
      <Form.Item name="name" label={t("support.policies.name")} rules={[{ required: true, message: t("support.required") }, { max: 200 }]}>
        <Input />
      </Form.Item>
      <Space wrap>
        <Form.Item name="position" label={t("support.policies.position")}>
          <InputNumber min={0} precision={0} />
        </Form.Item>
        <Form.Item name="active" label={t("support.policies.active")} valuePropName="checked">
          <Switch />
        </Form.Item>
        <Form.Item name="warnBeforeMinutes" label={t("support.policies.warnBefore")}>
          <InputNumber min={0} precision={0} />
        </Form.Item>
      </Space>
      <Form.Item name="calendarId" label={t("support.policies.calendar")} rules={[{ required: true, message: t("support.required") }]}>
        <Select options={calendars} />
      </Form.Item>
      <Form.Item name="priorities" label={t("support.policies.priorities")} extra={t("support.policies.prioritiesHelp")}>
        <Select mode="multiple" options={casePriorities.map((x) => ({ value: x, label: t(`support.priority.${x}`) }))} />
      </Form.Item>
      {targets.map((tg) => (
        <fieldset key={tg} style={{ border: 0, padding: 0, margin: 0 }}>
          <legend style={{ fontSize: 14, fontWeight: 600 }}>{t("support.policies.minutesOf", { target: t(`support.policies.target.${tg}`) })}</legend>
          <Space wrap>
            {casePriorities.map((x) => (
              <Form.Item key={x} name={`${tg}_${x}`} label={t(`support.priority.${x}`)}>
                <InputNumber min={1} precision={0} style={{ width: 110 }} />
              </Form.Item>
            ))}
          </Space>
        </fieldset>
      ))}
      <Form.Item name="escalation" label={t("support.policies.escalation")}>
        <Select allowClear options={(["raisePriority", "notifyManager"] as const).map((a) => ({ value: a, label: t(`support.policies.action.${a}`) }))} />
      </Form.Item>
    </FormDialog>
  );
}
