import { Button, Divider, Form, Input, InputNumber, Modal, Select, Space, Switch, TimePicker } from "antd";
import { DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import dayjs, { type Dayjs } from "dayjs";
import { useEffect, useState } from "react";
import type { components } from "../../api/schema";
import { FilterBuilder } from "../../components/filter/FilterBuilder";
import { buildFilter, parseFilter, type BuilderState, type FilterField } from "../../components/filter/model";
import { useI18n } from "../../i18n/I18n";
import { okProps, type Team, type User } from "./shared";

type Rule = components["schemas"]["LeadAssignmentRule"];
type Target = components["schemas"]["AssignmentTarget"];
type Weekday = components["schemas"]["WorkingHours"]["weekdays"][number];

const weekdays: Weekday[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/** RuleForm is a rule as the editor holds it: the condition is the builder's, apart. */
export interface RuleForm {
  name: string;
  active: boolean;
  firstTouchMinutes?: number | null;
  target: {
    type: Target["type"];
    userId?: string;
    teamId?: string;
    strategy?: Target["strategy"];
    members?: { userId: string; active: boolean; workingHours?: components["schemas"]["WorkingHours"] }[];
    maxOpenLeads?: number | null;
    hours: boolean;
    timeZone?: string;
    weekdays?: Weekday[];
    from?: Dayjs;
    to?: Dayjs;
  };
}

/** RuleBody is what the editor submits: the rule's parts as the API takes them. */
export interface RuleBody {
  name: string;
  active: boolean;
  condition: unknown;
  target: Target;
  firstTouchMinutes: number | null;
}

/** formOf is the editor's form of a rule (or of a new one). */
function formOf(r: Rule | null): RuleForm {
  const tg = r?.target;
  const h = tg?.workingHours;
  return {
    name: r?.name ?? "",
    active: r?.active ?? true,
    firstTouchMinutes: r?.firstTouchMinutes ?? null,
    target: {
      type: tg?.type ?? "user",
      userId: tg?.userId,
      teamId: tg?.teamId,
      strategy: tg?.strategy ?? "roundRobin",
      members: (tg?.members ?? []).map((m) => ({ userId: m.userId, active: m.active ?? true, workingHours: m.workingHours })),
      maxOpenLeads: tg?.maxOpenLeads ?? null,
      hours: !!h,
      timeZone: h?.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
      weekdays: h?.weekdays ?? ["mon", "tue", "wed", "thu", "fri"],
      from: dayjs(h?.from ?? "09:00", "HH:mm"),
      to: dayjs(h?.to ?? "18:00", "HH:mm"),
    },
  };
}

/** targetOf is the API's target of the form: a user, or a team with its members. */
function targetOf(f: RuleForm["target"]): Target {
  if (f.type === "user") return { type: "user", userId: f.userId, maxOpenLeads: f.maxOpenLeads ?? undefined };
  return {
    type: "team",
    teamId: f.teamId,
    strategy: f.strategy,
    members: (f.members ?? []).map((m) => ({ userId: m.userId, active: m.active, workingHours: m.workingHours })),
    maxOpenLeads: f.maxOpenLeads ?? undefined,
    workingHours: f.hours ? { timeZone: f.timeZone ?? "UTC", weekdays: f.weekdays ?? [], from: f.from?.format("HH:mm") ?? "09:00", to: f.to?.format("HH:mm") ?? "18:00" } : undefined,
  };
}

/**
 * RuleEditor is the dialog that creates or changes an assignment rule:
 * its name, whether it is on, its condition (the filter builder over a
 * lead's fields), its target (a user, or a team's members by turns or
 * fewest open leads, with a cap and working hours) and the first-touch
 * time. onSave gets the body; errors come back on the form.
 */
export function RuleEditor(p: {
  open: boolean;
  rule: Rule | null;
  fields: FilterField[];
  users: User[];
  teams: Team[];
  saving: boolean;
  form: ReturnType<typeof Form.useForm<RuleForm>>[0];
  onSave: (b: RuleBody) => void;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const { form, rule, fields } = p;
  const [cond, setCond] = useState<BuilderState>({ match: "and", rows: [] });
  const [advanced, setAdvanced] = useState<unknown>(undefined);
  const type = Form.useWatch(["target", "type"], form);
  const hours = Form.useWatch(["target", "hours"], form);

  useEffect(() => {
    if (!p.open) return;
    form.resetFields();
    form.setFieldsValue(formOf(rule));
    const parsed = parseFilter(rule?.condition, fields);
    setCond(parsed ?? { match: "and", rows: [] });
    setAdvanced(parsed ? undefined : rule?.condition);
  }, [p.open, rule, fields, form]);

  const submit = (f: RuleForm) =>
    p.onSave({
      name: f.name,
      active: f.active,
      condition: advanced ?? buildFilter(cond, fields) ?? null,
      target: targetOf(f.target),
      firstTouchMinutes: f.firstTouchMinutes ?? null,
    });
  const userOptions = p.users.map((u) => ({ value: u.id, label: u.name || u.email }));

  return (
    <Modal
      open={p.open}
      width={760}
      title={rule ? t("admin.rules.edit") : t("admin.rules.create")}
      okText={t("action.save")}
      cancelText={t("action.cancel")}
      onCancel={p.onClose}
      // A member's own working hours have no control; the store keeps them.
      onOk={() => form.validateFields().then(() => submit(form.getFieldsValue(true)))}
      confirmLoading={p.saving}
      okButtonProps={okProps("rule-save")}
      forceRender
    >
      <Form form={form} name="rule" layout="vertical">
        <Space wrap>
          <Form.Item name="name" label={t("admin.rules.name")} rules={[{ required: true, message: t("admin.required") }]}>
            <Input autoComplete="off" data-testid="rule-name" style={{ width: 260 }} />
          </Form.Item>
          <Form.Item name="active" label={t("admin.rules.active")} valuePropName="checked">
            <Switch />
          </Form.Item>
        </Space>
        <Divider orientation="left" plain>
          {t("admin.rules.condition")}
        </Divider>
        <div data-testid="rule-condition" style={{ marginBottom: 16 }}>
          <FilterBuilder fields={fields} value={cond} onChange={setCond} advanced={advanced !== undefined} onClear={() => { setAdvanced(undefined); setCond({ match: "and", rows: [] }); }} />
        </div>
        <Divider orientation="left" plain>
          {t("admin.rules.target")}
        </Divider>
        <Space wrap align="start">
          <Form.Item name={["target", "type"]} label={t("admin.rules.targetType")}>
            <Select style={{ width: 160 }} options={[{ value: "user", label: t("admin.rules.targetUser") }, { value: "team", label: t("admin.rules.targetTeam") }]} />
          </Form.Item>
          {type === "user" ? (
            <Form.Item name={["target", "userId"]} label={t("admin.rules.user")} rules={[{ required: true, message: t("admin.required") }]}>
              <Select showSearch optionFilterProp="label" style={{ width: 240 }} options={userOptions} data-testid="rule-user" />
            </Form.Item>
          ) : (
            <>
              <Form.Item name={["target", "teamId"]} label={t("admin.rules.team")} rules={[{ required: true, message: t("admin.required") }]}>
                <Select style={{ width: 200 }} options={p.teams.map((x) => ({ value: x.id, label: x.name }))} />
              </Form.Item>
              <Form.Item name={["target", "strategy"]} label={t("admin.rules.strategy")}>
                <Select style={{ width: 200 }} options={[{ value: "roundRobin", label: t("admin.rules.roundRobin") }, { value: "leastLoaded", label: t("admin.rules.leastLoaded") }]} />
              </Form.Item>
            </>
          )}
          <Form.Item name={["target", "maxOpenLeads"]} label={t("admin.rules.cap")} extra={t("admin.rules.capHelp")}>
            <InputNumber min={0} max={100000} style={{ width: 140 }} />
          </Form.Item>
          <Form.Item name="firstTouchMinutes" label={t("admin.rules.firstTouch")}>
            <InputNumber min={0} max={525600} addonAfter={t("admin.rules.minutes")} style={{ width: 180 }} />
          </Form.Item>
        </Space>
        {type === "team" && (
          <>
            <Form.List name={["target", "members"]}>
              {(items, { add, remove }) => (
                <fieldset style={{ border: 0, padding: 0, margin: 0 }}>
                  <legend style={{ fontSize: 14, border: 0, marginBottom: 8 }}>{t("admin.rules.members")}</legend>
                  {items.map((it, i) => (
                    <Space key={it.key} wrap align="baseline">
                      <Form.Item name={[it.name, "userId"]} label={t("admin.rules.member", { n: i + 1 })} rules={[{ required: true, message: t("admin.required") }]}>
                        <Select showSearch optionFilterProp="label" style={{ width: 240 }} options={userOptions} />
                      </Form.Item>
                      <Form.Item name={[it.name, "active"]} label={t("admin.rules.memberActive")} valuePropName="checked">
                        <Switch />
                      </Form.Item>
                      <Button icon={<DeleteOutlined />} onClick={() => remove(it.name)} aria-label={t("admin.rules.removeMember", { n: i + 1 })} />
                    </Space>
                  ))}
                  <Button icon={<PlusOutlined />} onClick={() => add({ userId: undefined, active: true })} style={{ marginBottom: 16 }}>
                    {t("admin.rules.addMember")}
                  </Button>
                </fieldset>
              )}
            </Form.List>
            <Form.Item name={["target", "hours"]} label={t("admin.rules.hours")} valuePropName="checked">
              <Switch />
            </Form.Item>
            {hours && (
              <Space wrap>
                <Form.Item name={["target", "timeZone"]} label={t("admin.rules.timeZone")} rules={[{ required: true, message: t("admin.required") }]}>
                  <Input style={{ width: 200 }} autoComplete="off" />
                </Form.Item>
                <Form.Item name={["target", "weekdays"]} label={t("admin.rules.weekdays")}>
                  <Select mode="multiple" style={{ width: 300 }} options={weekdays.map((d) => ({ value: d, label: t(`admin.rules.day.${d}`) }))} />
                </Form.Item>
                <Form.Item name={["target", "from"]} label={t("admin.rules.from")}>
                  <TimePicker format="HH:mm" minuteStep={15} />
                </Form.Item>
                <Form.Item name={["target", "to"]} label={t("admin.rules.to")}>
                  <TimePicker format="HH:mm" minuteStep={15} />
                </Form.Item>
              </Space>
            )}
          </>
        )}
      </Form>
    </Modal>
  );
}
