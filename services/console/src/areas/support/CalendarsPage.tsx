import { PlusOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { Button, Form, Input, List, Space, Switch, Tag, Typography } from "antd";
import { useState } from "react";
import type { components } from "../../api/schema";
import { api, unwrap } from "../../api/client";
import { useSession } from "../../auth/session";
import { ErrorState } from "../../components/ErrorState";
import { useI18n, type T } from "../../i18n/I18n";
import { FormDialog, useDialogSave } from "../quotes/FormDialog";
import { ifMatch, mergePatch } from "./api";
import { formatHolidays, formatIntervals, formatWorkdays, parseHolidays, parseIntervals, parseWorkdays, weekdays, type BusinessCalendar, type Parsed } from "./calendar";

/** CalendarValues are the calendar dialog's fields: the hours, holidays and workdays as text. */
type CalendarValues = { name: string; timeZone: string; alwaysOpen: boolean; holidays: string; workdays: string } & Record<(typeof weekdays)[number], string>;

/** rule makes a form rule of a parser: the field is refused with what it could not read. */
function rule<V>(t: T, parse: (s: string) => Parsed<V>) {
  return {
    validator: (_: unknown, v?: string) => {
      const p = parse(v ?? "");
      return p.ok ? Promise.resolve() : Promise.reject(new Error(t("support.calendars.cannotRead", { text: p.reason })));
    },
  };
}

/** CalendarFields are a calendar's writable fields (the API's input is these with name and timeZone required). */
type CalendarFields = components["schemas"]["BusinessCalendarFields"];

/**
 * toInput writes the dialog's values as the API's calendar (the texts
 * already checked by the form's rules); a calendar open 24/7 has no hours,
 * holidays nor workdays.
 */
function toInput(v: CalendarValues): CalendarFields {
  const must = <V,>(p: Parsed<V>): V => {
    if (!p.ok) throw new Error(p.reason);
    return p.value;
  };
  const hours = Object.fromEntries(weekdays.map((d) => [d, must(parseIntervals(v[d] ?? ""))]));
  return {
    name: v.name,
    timeZone: v.timeZone,
    alwaysOpen: v.alwaysOpen,
    hours: v.alwaysOpen ? {} : hours,
    holidays: v.alwaysOpen ? [] : must(parseHolidays(v.holidays ?? "")),
    workdays: v.alwaysOpen ? [] : must(parseWorkdays(v.workdays ?? "")),
  };
}

/**
 * CalendarsPage lists the business-hours calendars the SLA clocks run on,
 * and — for support:admin — creates and edits them: a time zone, weekly
 * hours with lunch breaks, holidays and adjusted working days (调休), or
 * 24/7.
 */
export default function CalendarsPage() {
  const { t } = useI18n();
  const { can } = useSession();
  const [editing, setEditing] = useState<BusinessCalendar | "new" | null>(null);
  const list = useQuery({ queryKey: ["support", "calendars"], queryFn: () => unwrap(api.GET("/v1/business-calendars")) });
  return (
    <div data-testid="page-business-calendars">
      <Space style={{ width: "100%", justifyContent: "space-between", flexWrap: "wrap", marginBottom: 12 }}>
        <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
          {t("support.calendars.title")}
        </Typography.Title>
        {can("support:admin") && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing("new")} data-testid="calendar-new">
            {t("support.calendars.new")}
          </Button>
        )}
      </Space>
      {list.isError ? (
        <ErrorState error={list.error} onRetry={() => list.refetch()} />
      ) : (
        <List
          loading={list.isLoading}
          aria-label={t("support.calendars.title")}
          dataSource={list.data?.items ?? []}
          rowKey="id"
          locale={{ emptyText: <Typography.Text type="secondary">{t("support.calendars.none")}</Typography.Text> }}
          renderItem={(c) => (
            <List.Item data-testid="row" actions={can("support:admin") ? [<Button key="edit" size="small" onClick={() => setEditing(c)}>{t("action.edit")}</Button>] : undefined}>
              <List.Item.Meta
                title={c.name}
                description={
                  <Space wrap size={4}>
                    <Tag>{c.timeZone}</Tag>
                    {c.alwaysOpen ? (
                      <Tag color="#237804">{t("support.calendars.alwaysOpen")}</Tag>
                    ) : (
                      <Typography.Text type="secondary">
                        {weekdays
                          .filter((d) => (c.hours?.[d] ?? []).length > 0)
                          .map((d) => `${t(`support.weekday.${d}`)} ${formatIntervals(c.hours?.[d])}`)
                          .join(" · ")}
                      </Typography.Text>
                    )}
                  </Space>
                }
              />
            </List.Item>
          )}
        />
      )}
      {editing && <CalendarDialog calendar={editing === "new" ? undefined : editing} onClose={() => setEditing(null)} />}
    </div>
  );
}

/** CalendarDialog creates a calendar or changes one (a merge patch with If-Match). */
function CalendarDialog({ calendar: c, onClose }: { calendar?: BusinessCalendar; onClose: () => void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<CalendarValues>();
  const alwaysOpen = Form.useWatch("alwaysOpen", form);
  const save = useDialogSave<CalendarValues>({
    form,
    queryKey: ["support", "calendars"],
    onClose,
    version: c ? async () => (await unwrap(api.GET("/v1/business-calendars/{id}", { params: { path: { id: c.id } } }))).version : undefined,
    write: (v, version) =>
      c
        ? unwrap(api.PATCH("/v1/business-calendars/{id}", { params: { path: { id: c.id }, header: ifMatch(version ?? c.version) }, headers: mergePatch, body: toInput(v) }))
        : // The generated input type is the fields and Record<string, never> (its allOf's required-only part).
          unwrap(api.POST("/v1/business-calendars", { body: toInput(v) as components["schemas"]["BusinessCalendarInput"] })),
  });
  const initial: Partial<CalendarValues> = c
    ? { name: c.name, timeZone: c.timeZone, alwaysOpen: c.alwaysOpen, holidays: formatHolidays(c.holidays), workdays: formatWorkdays(c.workdays), ...Object.fromEntries(weekdays.map((d) => [d, formatIntervals(c.hours?.[d])])) }
    : {
        timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
        alwaysOpen: false,
        ...Object.fromEntries(weekdays.map((d) => [d, d === "saturday" || d === "sunday" ? "" : "09:00-12:00, 13:00-18:00"])),
      };
  return (
    <FormDialog title={c ? t("support.calendars.edit") : t("support.calendars.new")} form={form} save={save} okTestId="calendar-save" onClose={onClose} initialValues={initial}>
      <Form.Item name="name" label={t("support.calendars.name")} rules={[{ required: true, message: t("support.required") }, { max: 200 }]}>
        <Input />
      </Form.Item>
      <Form.Item name="timeZone" label={t("support.calendars.timeZone")} extra={t("support.calendars.timeZoneHelp")} rules={[{ required: true, message: t("support.required") }]}>
        <Input />
      </Form.Item>
      <Form.Item name="alwaysOpen" label={t("support.calendars.alwaysOpen")} valuePropName="checked">
        <Switch />
      </Form.Item>
      {!alwaysOpen && (
        <>
          {weekdays.map((d) => (
            <Form.Item key={d} name={d} label={t(`support.weekday.${d}`)} rules={[rule(t, parseIntervals)]} extra={d === "monday" ? t("support.calendars.hoursHelp") : undefined}>
              <Input placeholder={t("support.calendars.dayOff")} />
            </Form.Item>
          ))}
          <Form.Item name="holidays" label={t("support.calendars.holidays")} extra={t("support.calendars.holidaysHelp")} rules={[rule(t, parseHolidays)]}>
            <Input.TextArea rows={3} />
          </Form.Item>
          <Form.Item name="workdays" label={t("support.calendars.workdays")} extra={t("support.calendars.workdaysHelp")} rules={[rule(t, parseWorkdays)]}>
            <Input.TextArea rows={3} />
          </Form.Item>
        </>
      )}
    </FormDialog>
  );
}
