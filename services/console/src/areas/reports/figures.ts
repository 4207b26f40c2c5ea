import type { Cell, ChartType, Report, ReportColumn } from "./api";

/**
 * Figure is one value a chart draws (a bar, a funnel step, a pie's slice,
 * a heatmap's square): its label, its value and the report's cells it sums,
 * which a click drills into.
 */
export interface Figure {
  label: string;
  value: number;
  cells: Cell[];
}

/** Series is a named run of figures, one per category. */
export interface Series {
  name: string;
  figures: Figure[];
}

/** Figures is what a chart draws: categories along x and a series per measure or group. */
export interface Figures {
  categories: string[];
  series: Series[];
  /** rows, for a heatmap: the categories along y. */
  rows?: string[];
}

/** Row is one row of a report. */
type Row = Record<string, unknown>;

/** numericTypes are the columns' types that hold figures. */
const numericTypes = new Set<ReportColumn["type"]>(["integer", "decimal", "money", "percent", "duration"]);

/** additive says whether a column's figures may be summed over rows (counts and amounts, not rates or times). */
export function additive(c: ReportColumn): boolean {
  return c.type === "integer" || c.type === "money";
}

/** chartMeasures names, per report, the columns its charts draw by default. */
const chartMeasures: Record<string, string[]> = {
  funnel: ["leads", "mql", "sql", "opportunities", "won"],
  pipeline: ["created", "won", "lost"],
  "pipeline-stages": ["open"],
  "lead-sources": ["leads", "converted", "won"],
  "campaign-roi": ["leads", "conversions"],
  forecast: ["commit", "bestCase", "pipeline", "actual"],
  lifecycle: ["contacts"],
  "lifecycle-flows": ["contacts"],
  "customer-value": ["accounts"],
  service: ["created", "solved", "backlog"],
  activity: ["total", "completed"],
};

/** ageColumns are pipeline-stages' ageing buckets, the heatmap's x. */
export const ageColumns = ["age0to30", "age31to60", "age61to90", "age90plus"];

/** measures are the columns a report's chart draws: the report's default ones it has, else its counts. */
export function measures(r: Pick<Report, "report" | "columns">): ReportColumn[] {
  const named = (chartMeasures[r.report] ?? []).map((n) => r.columns.find((c) => c.name === n)).filter((c): c is ReportColumn => !!c);
  if (named.length > 0) return named;
  return r.columns.filter((c) => c.type === "integer" && c.name !== "position").slice(0, 3);
}

/** numericColumns are a report's columns that hold figures (a table's clickable cells). */
export function numericColumns(r: Pick<Report, "columns">): ReportColumn[] {
  return r.columns.filter((c) => numericTypes.has(c.type));
}

/** value reads a cell's figure: numbers as they are, decimal strings parsed, "" and absent as 0. */
export function value(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "string" && v !== "") {
    const n = Number(v);
    return Number.isFinite(n) ? n : 0;
  }
  return 0;
}

/** stageFilter is the filter narrowing pipeline-stages' records to a row's stage. */
export function stageFilter(stage: string): string {
  return JSON.stringify({ field: "stageId", op: "eq", value: stage });
}

/** cellOf names the figure of row under measure. */
export function cellOf(r: Pick<Report, "report" | "interval">, row: Row, measure: string): Cell {
  const cell: Cell = { group: String(row.group ?? ""), measure };
  if (r.interval && typeof row.period === "string") cell.period = row.period;
  if (r.report === "pipeline-stages" && typeof row.stage === "string") cell.filter = stageFilter(row.stage);
  return cell;
}

/** dimensionColumns are a row's labelling columns besides period and group (stage, type, from/to). */
function dimensionColumns(r: Pick<Report, "columns">): string[] {
  return r.columns.filter((c) => c.type === "string" && !["group", "name", "pipelineName", "stage", "stageName", "segment"].includes(c.name)).map((c) => c.name);
}

/**
 * groupLabel writes a row's group: the names a report gives (a pipeline's
 * and its stage's, a campaign's or account's), else label(group) (a person's
 * name for an owner) — "" reads as label("").
 */
function groupLabel(r: Pick<Report, "report">, row: Row, label: (g: string) => string): string {
  if (r.report === "pipeline-stages") return [row.pipelineName, row.stageName || row.stage].filter((x) => typeof x === "string" && x !== "").join(" · ");
  if (typeof row.name === "string" && row.name !== "") return row.name;
  return label(String(row.group ?? ""));
}

/** collect sums figures by key in first-seen order. */
class Collector {
  private order: string[] = [];
  private figures = new Map<string, Figure>();

  add(key: string, label: string, v: number, cell: Cell): void {
    let f = this.figures.get(key);
    if (!f) {
      f = { label, value: 0, cells: [] };
      this.figures.set(key, f);
      this.order.push(key);
    }
    f.value += v;
    f.cells.push(cell);
  }

  keys(): string[] {
    return this.order;
  }

  get(key: string): Figure | undefined {
    return this.figures.get(key);
  }
}

/**
 * figures turns a report into what a chart of type draws. Line and area
 * run along the periods: a series per measure, or for a grouped report (or
 * one with a further dimension: lifecycle's stage) a series per group of
 * the first measure. Bar, pie and funnel run along the groups (the periods
 * when ungrouped), summing each measure over the periods. The heatmap is
 * pipeline-stages' stages by age (else groups by period). Non-additive
 * figures (rates, times) are not summed: the chart keeps the last.
 */
export function figures(r: Report, chart: ChartType, label: (g: string) => string): Figures {
  const rows = r.rows as Row[];
  const ms = measures(r);
  const periodic = !!r.interval;
  const dims = dimensionColumns(r);
  const periodLabel = (row: Row) => String(row.period ?? "");
  const rowLabel = (row: Row) => [groupLabel(r, row, label), ...dims.map((d) => String(row[d] ?? ""))].filter((s) => s !== "").join(" · ");
  const grouped = r.groupBy !== "" || dims.length > 0 || !periodic;

  if (chart === "heatmap") return heatmap(r, rows, periodLabel, rowLabel);
  if (chart === "funnel") {
    const steps = new Collector();
    for (const row of rows) for (const m of ms) steps.add(m.name, m.label, value(row[m.name]), cellOf(r, row, m.name));
    return { categories: ms.map((m) => m.label), series: [{ name: r.report, figures: steps.keys().map((k) => steps.get(k)!) }] };
  }
  const alongPeriods = periodic && (chart === "line" || chart === "area" || !grouped);
  const xOf = alongPeriods ? periodLabel : rowLabel;
  const categories: string[] = [];
  for (const row of rows) if (!categories.includes(xOf(row))) categories.push(xOf(row));
  if (alongPeriods && grouped) {
    const m = ms[0];
    const bySeries = new Map<string, Collector>();
    for (const row of rows) {
      const name = rowLabel(row);
      if (!bySeries.has(name)) bySeries.set(name, new Collector());
      bySeries.get(name)!.add(xOf(row), xOf(row), value(row[m.name]), cellOf(r, row, m.name));
    }
    return {
      categories,
      series: [...bySeries.entries()].map(([name, c]) => ({ name, figures: categories.map((x) => c.get(x) ?? { label: x, value: 0, cells: [] }) })),
    };
  }
  const series = ms.map((m) => {
    const c = new Collector();
    for (const row of rows) {
      const x = xOf(row);
      const v = value(row[m.name]);
      const prior = c.get(x);
      if (prior && !additive(m)) prior.value = 0;
      c.add(x, x, v, cellOf(r, row, m.name));
    }
    return { name: m.label, figures: categories.map((x) => c.get(x) ?? { label: x, value: 0, cells: [] }) };
  });
  return { categories, series: chart === "pie" ? series.slice(0, 1) : series };
}

/** heatmap is pipeline-stages' open deals per stage (y) and age (x), else the first measure per group (y) and period (x). */
function heatmap(r: Report, rows: Row[], periodLabel: (row: Row) => string, rowLabel: (row: Row) => string): Figures {
  if (r.report === "pipeline-stages") {
    const ages = ageColumns.map((a) => r.columns.find((c) => c.name === a)).filter((c): c is ReportColumn => !!c);
    const ys = rows.map(rowLabel);
    return {
      categories: ages.map((a) => a.label),
      rows: ys,
      series: rows.map((row, i) => ({ name: ys[i], figures: ages.map((a) => ({ label: a.label, value: value(row[a.name]), cells: [cellOf(r, row, a.name)] })) })),
    };
  }
  const m = measures(r)[0];
  const xs: string[] = [];
  const ys: string[] = [];
  for (const row of rows) {
    if (!xs.includes(periodLabel(row))) xs.push(periodLabel(row));
    if (!ys.includes(rowLabel(row))) ys.push(rowLabel(row));
  }
  return {
    categories: xs,
    rows: ys,
    series: ys.map((y) => ({
      name: y,
      figures: xs.map((x) => {
        const hit = rows.filter((row) => rowLabel(row) === y && periodLabel(row) === x);
        return { label: x, value: hit.reduce((s, row) => s + value(row[m.name]), 0), cells: hit.map((row) => cellOf(r, row, m.name)) };
      }),
    })),
  };
}
