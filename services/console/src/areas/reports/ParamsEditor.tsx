import { Input, Select, Space } from "antd";
import { useI18n } from "../../i18n/I18n";
import { ranges, type CatalogueEntry, type Params } from "./api";

/** Labelled is a form control with its visible label. */
function Labelled({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <label style={{ display: "inline-flex", flexDirection: "column", gap: 2 }}>
      <span style={{ fontSize: 12 }}>{label}</span>
      {children}
    </label>
  );
}

/** withParam sets (or, for "", removes) one parameter. */
function withParam(params: Params, name: string, v: string | undefined): Params {
  const next = { ...params };
  if (v === undefined || v === "") delete next[name];
  else next[name] = v;
  return next;
}

/**
 * ParamsEditor edits a report's query parameters as the catalogue says it
 * takes them: a named range or from and to, the interval (periodic
 * reports, among its intervals), the groupBy (among its groupBys) and its
 * own extras (among their values, or free text).
 */
export function ParamsEditor({ entry, params, onChange, idPrefix }: { entry: CatalogueEntry; params: Params; onChange: (p: Params) => void; idPrefix: string }) {
  const { t } = useI18n();
  const set = (name: string, v: string | undefined) => onChange(withParam(params, name, v));
  const setRange = (v: string | undefined) => {
    let next = withParam(params, "range", v);
    if (v) next = withParam(withParam(next, "from", ""), "to", "");
    onChange(next);
  };
  const setDate = (name: "from" | "to", v: string) => onChange(withParam(withParam(params, "range", ""), name, v));
  return (
    <Space wrap align="end" data-testid={`${idPrefix}-params`}>
      <Labelled label={t("reports.param.range")}>
        <Select id={`${idPrefix}-range`} allowClear style={{ width: 170 }} value={params.range} placeholder={t("reports.param.range.custom")} onChange={setRange}
          options={ranges.map((r) => ({ value: r, label: t(`reports.range.${r}`) }))} />
      </Labelled>
      <Labelled label={t("reports.param.from")}>
        <Input id={`${idPrefix}-from`} type="date" style={{ width: 150 }} value={params.from ?? ""} onChange={(e) => setDate("from", e.target.value)} />
      </Labelled>
      <Labelled label={t("reports.param.to")}>
        <Input id={`${idPrefix}-to`} type="date" style={{ width: 150 }} value={params.to ?? ""} onChange={(e) => setDate("to", e.target.value)} />
      </Labelled>
      {entry.periodic && (
        <Labelled label={t("reports.param.interval")}>
          <Select id={`${idPrefix}-interval`} allowClear style={{ width: 120 }} value={params.interval} placeholder={t("reports.interval.month")} onChange={(v) => set("interval", v)}
            options={entry.intervals.map((i) => ({ value: i, label: t(`reports.interval.${i}`) }))} />
        </Labelled>
      )}
      {entry.groupBys.length > 0 && (
        <Labelled label={t("reports.param.groupBy")}>
          <Select id={`${idPrefix}-groupBy`} allowClear style={{ width: 140 }} value={params.groupBy} placeholder={entry.defaultGroupBy ? t(`reports.groupBy.${entry.defaultGroupBy}`) : t("reports.groupBy.none")}
            onChange={(v) => set("groupBy", v)} options={entry.groupBys.map((g) => ({ value: g, label: t(`reports.groupBy.${g}`) }))} />
        </Labelled>
      )}
      {Object.entries(entry.extra).map(([name, values]) => (
        <Labelled key={name} label={t(`reports.param.${name}`)}>
          {values.length > 0 ? (
            <Select id={`${idPrefix}-${name}`} allowClear style={{ width: 140 }} value={params[name]} onChange={(v) => set(name, v)} options={values.map((v) => ({ value: v, label: v }))} />
          ) : (
            <Input id={`${idPrefix}-${name}`} style={{ width: 100 }} value={params[name] ?? ""} onChange={(e) => set(name, e.target.value.trim())} />
          )}
        </Labelled>
      ))}
    </Space>
  );
}
