import { Alert, Button, DatePicker, Input, InputNumber, Select, Space, Typography } from "antd";
import { DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import dayjs from "dayjs";
import { useT } from "../../i18n/I18n";
import { defaultValue, newRow, operators, type BuilderState, type FilterField, type Row, type RowOp, type RowValue } from "./model";

/** FilterBuilderProps are the fields to offer, the rows and where changes go. */
export interface FilterBuilderProps {
  fields: FilterField[];
  value: BuilderState;
  onChange: (s: BuilderState) => void;
  /** suggestions are values to offer per field name (the tenant's tags, say). */
  suggestions?: Record<string, string[]>;
  /** advanced is true while a stored filter the rows cannot show applies. */
  advanced?: boolean;
  onClear?: () => void;
}

const units = ["h", "d", "w", "m", "y"] as const;

/**
 * FilterBuilder edits a filter of the filter language as rows of
 * conditions (field, operator, value) that all or any must hold; model.ts
 * turns them into the JSON the API reads. Each control is labelled and
 * carries data-testid filter-<part>-<row index>.
 */
export function FilterBuilder({ fields, value, onChange, suggestions, advanced, onClear }: FilterBuilderProps) {
  const t = useT();
  const set = (i: number, r: Row) => onChange({ ...value, rows: value.rows.map((x, j) => (j === i ? r : x)) });
  return (
    <div data-testid="filter-builder" role="group" aria-label={t("filter.title")}>
      {advanced && <Alert type="info" showIcon message={t("filter.advanced")} style={{ marginBottom: 8 }} />}
      {value.rows.length > 1 && (
        <Space style={{ marginBottom: 8 }} wrap>
          <Typography.Text>{t("filter.match")}</Typography.Text>
          <Select
        virtual={false}
            aria-label={t("filter.match")}
            data-testid="filter-match"
            value={value.match}
            onChange={(m) => onChange({ ...value, match: m })}
            options={[
              { value: "and", label: t("filter.match.and") },
              { value: "or", label: t("filter.match.or") },
            ]}
            style={{ minWidth: 140 }}
          />
        </Space>
      )}
      {value.rows.length === 0 && !advanced && <Typography.Paragraph type="secondary">{t("filter.none")}</Typography.Paragraph>}
      {value.rows.map((r, i) => (
        <ConditionRow key={r.key} index={i} row={r} fields={fields} suggestions={suggestions} onChange={(x) => set(i, x)} onRemove={() => onChange({ ...value, rows: value.rows.filter((_, j) => j !== i) })} />
      ))}
      <Space wrap>
        <Button icon={<PlusOutlined />} onClick={() => onChange({ ...value, rows: [...value.rows, newRow(fields[0])] })} data-testid="filter-add">
          {t("filter.add")}
        </Button>
        {(value.rows.length > 0 || advanced) && onClear && (
          <Button onClick={onClear} data-testid="filter-clear">
            {t("filter.clear")}
          </Button>
        )}
      </Space>
    </div>
  );
}

function ConditionRow({ index, row, fields, suggestions, onChange, onRemove }: { index: number; row: Row; fields: FilterField[]; suggestions?: Record<string, string[]>; onChange: (r: Row) => void; onRemove: () => void }) {
  const t = useT();
  const field = fields.find((f) => f.name === row.field);
  const ops = field ? operators[field.type] : [];
  const opLabel = (op: RowOp) => (field?.type === "stringArray" && (op === "contains" || op === "in") ? t(`filter.tags.${op}`) : t(`filter.op.${op}`));
  return (
    <Space wrap style={{ marginBottom: 8, display: "flex" }} data-testid="filter-row">
      <Select
        virtual={false}
        aria-label={t("filter.field")}
        data-testid={`filter-field-${index}`}
        showSearch
        optionFilterProp="label"
        value={row.field || undefined}
        style={{ minWidth: 180 }}
        onChange={(name: string) => {
          const f = fields.find((x) => x.name === name);
          const op = f ? operators[f.type][0] : "eq";
          onChange({ ...row, field: name, op, value: defaultValue(f, op) });
        }}
        options={fields.map((f) => ({ value: f.name, label: f.label }))}
      />
      <Select
        virtual={false}
        aria-label={t("filter.operator")}
        data-testid={`filter-op-${index}`}
        value={row.op}
        style={{ minWidth: 150 }}
        onChange={(op: RowOp) => onChange({ ...row, op, value: sameShape(row.op, op) ? row.value : defaultValue(field, op) })}
        options={ops.map((op) => ({ value: op, label: opLabel(op) }))}
      />
      {field && <ValueControl index={index} field={field} row={row} options={field.values ?? suggestions?.[field.name]} onChange={(v) => onChange({ ...row, value: v })} />}
      <Button type="text" icon={<DeleteOutlined />} aria-label={t("filter.remove")} onClick={onRemove} data-testid={`filter-remove-${index}`} />
    </Space>
  );
}

/** sameShape says whether a value may stay when the operator changes. */
function sameShape(a: RowOp, b: RowOp): boolean {
  const shape = (op: RowOp) => (op === "in" ? "list" : op === "within" ? "duration" : op === "isEmpty" || op === "isNotEmpty" ? "none" : "one");
  return shape(a) === shape(b);
}

function ValueControl({ index, field, row, options, onChange }: { index: number; field: FilterField; row: Row; options?: string[]; onChange: (v: RowValue) => void }) {
  const t = useT();
  const common = { "aria-label": t("filter.value"), "data-testid": `filter-value-${index}` };
  if (row.op === "isEmpty" || row.op === "isNotEmpty") return null;
  if (row.op === "within") {
    const m = /^(\d*)([hdwmy])$/.exec(typeof row.value === "string" ? row.value : "") ?? ["", "", "d"];
    const allowed = field.type === "date" ? units.filter((u) => u !== "h") : units;
    return (
      <Space.Compact>
        <InputNumber {...common} min={1} max={999999} precision={0} value={m[1] ? Number(m[1]) : null} onChange={(n) => onChange(`${n ?? ""}${m[2]}`)} style={{ width: 90 }} />
        <Select virtual={false} aria-label={t("filter.unit")} value={m[2]} onChange={(u: string) => onChange(`${m[1]}${u}`)} options={allowed.map((u) => ({ value: u, label: t(`filter.unit.${u}`) }))} style={{ width: 100 }} />
      </Space.Compact>
    );
  }
  if (field.type === "bool") {
    return (
      <Select {...common} virtual={false} value={row.value === true ? "true" : row.value === false ? "false" : undefined} onChange={(v: string) => onChange(v === "true")} style={{ minWidth: 90 }} options={[{ value: "true", label: t("filter.yes") }, { value: "false", label: t("filter.no") }]} />
    );
  }
  if (field.type === "time" || field.type === "date") {
    const v = typeof row.value === "string" && row.value ? dayjs(row.value) : null;
    return <DatePicker {...common} value={v && v.isValid() ? v : null} onChange={(d) => onChange(d ? d.format("YYYY-MM-DD") : "")} />;
  }
  const list = row.op === "in" || field.type === "stringArray";
  if (list || field.type === "enum") {
    const values = Array.isArray(row.value) ? row.value : typeof row.value === "string" && row.value ? [row.value] : [];
    return (
      <Select
        virtual={false}
        {...common}
        mode={list ? (field.type === "enum" ? "multiple" : "tags") : undefined}
        value={list ? values : values[0]}
        onChange={(v: string | string[]) => onChange(v)}
        options={(options ?? []).map((o) => ({ value: o, label: o }))}
        style={{ minWidth: 200 }}
        tokenSeparators={list ? [","] : undefined}
      />
    );
  }
  return (
    <Input
      {...common}
      value={typeof row.value === "string" ? row.value : ""}
      inputMode={field.type === "number" || field.type === "decimal" ? "decimal" : undefined}
      onChange={(e) => onChange(e.target.value)}
      style={{ width: 200 }}
    />
  );
}
