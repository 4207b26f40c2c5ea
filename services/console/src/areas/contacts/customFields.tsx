import { Form, Input, InputNumber, Select, Space } from "antd";
import type { T } from "../../i18n/I18n";
import type { CustomField } from "./api";

/** FormCustom is a record's custom field values as the form's controls hold them. */
export type FormCustom = Record<string, unknown>;

/** localDateTime writes an RFC 3339 time as a datetime-local input's value, in the browser's zone. */
function localDateTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** customToForm turns a record's custom field values into the controls' values. */
export function customToForm(values: Record<string, unknown> | undefined, defs: CustomField[]): FormCustom {
  const out: FormCustom = {};
  for (const d of defs) {
    const v = values?.[d.key];
    if (v === undefined || v === null) continue;
    if (d.type === "datetime") out[d.key] = localDateTime(String(v));
    else if (d.type === "boolean") out[d.key] = v ? "true" : "false";
    else if (d.type === "number" || d.type === "decimal") out[d.key] = String(v);
    else out[d.key] = v;
  }
  return out;
}

/**
 * customFromForm turns the controls' values into the API's (numbers as JSON
 * numbers, decimals as exact text, datetimes as RFC 3339); an emptied
 * control is null when patching (which removes the value) and left out
 * when creating.
 */
export function customFromForm(form: FormCustom | undefined, defs: CustomField[], patch: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const d of defs) {
    let v = form?.[d.key];
    const currency = d.type === "currency" ? (v as { amountMinor?: number | null; currency?: string } | undefined) : undefined;
    const empty = v === undefined || v === null || v === "" || (Array.isArray(v) && v.length === 0) || (d.type === "currency" && (currency?.amountMinor == null || !currency.currency));
    if (empty) {
      if (patch) out[d.key] = null;
      continue;
    }
    if (d.type === "number") v = /^-?\d+(\.\d+)?$/.test(String(v).trim()) ? Number(v) : v;
    else if (d.type === "decimal") v = String(v).trim();
    else if (d.type === "boolean") v = v === "true";
    else if (d.type === "datetime") v = new Date(String(v)).toISOString();
    else if (d.type === "currency") v = { amountMinor: currency!.amountMinor, currency: currency!.currency!.toUpperCase() };
    out[d.key] = v;
  }
  return out;
}

/** CustomFieldInputs are the form controls of an entity's custom fields, named customFields.<key>. */
export function CustomFieldInputs({ defs, t }: { defs: CustomField[]; t: T }) {
  return (
    <>
      {defs.map((d) => {
        const name = ["customFields", d.key];
        const rules = d.required ? [{ required: true, message: t("contacts.required") }] : [];
        const id = `cf-${d.key}`;
        const label = d.label;
        if (d.type === "currency") {
          return (
            <Form.Item key={d.key} label={label} required={d.required}>
              <Space.Compact>
                <Form.Item name={[...name, "amountMinor"]} noStyle rules={rules}>
                  <InputNumber aria-label={t("contacts.amountMinor", { field: label })} precision={0} />
                </Form.Item>
                <Form.Item name={[...name, "currency"]} noStyle rules={rules}>
                  <Input aria-label={t("contacts.currency", { field: label })} maxLength={3} style={{ width: 80 }} />
                </Form.Item>
              </Space.Compact>
            </Form.Item>
          );
        }
        let control;
        switch (d.type) {
          case "longText":
            control = <Input.TextArea id={id} rows={3} />;
            break;
          case "boolean":
            control = <Select id={id} allowClear options={[{ value: "true", label: t("filter.yes") }, { value: "false", label: t("filter.no") }]} />;
            break;
          case "singleSelect":
          case "multiSelect":
            control = <Select id={id} allowClear mode={d.type === "multiSelect" ? "multiple" : undefined} options={(d.options ?? []).map((o) => ({ value: o, label: o }))} />;
            break;
          case "date":
            control = <Input id={id} type="date" />;
            break;
          case "datetime":
            control = <Input id={id} type="datetime-local" />;
            break;
          default:
            control = <Input id={id} inputMode={d.type === "number" || d.type === "decimal" ? "decimal" : undefined} data-testid={`cf-${d.key}`} />;
        }
        return (
          <Form.Item key={d.key} name={name} label={label} htmlFor={id} rules={rules}>
            {control}
          </Form.Item>
        );
      })}
    </>
  );
}
