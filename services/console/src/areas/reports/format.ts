import { formatNumber } from "../../lib/dates";
import { formatMoney } from "../../lib/money";
import type { Locale } from "../../i18n/types";
import type { ReportColumn } from "./api";

/** formatDuration writes seconds as days, hours and minutes ("2d 3h", "45m", "12s"). */
export function formatDuration(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (d > 0) return h > 0 ? `${d}d ${h}h` : `${d}d`;
  if (h > 0) return m > 0 ? `${h}h ${m}m` : `${h}h`;
  if (m > 0) return `${m}m`;
  return `${seconds}s`;
}

/**
 * formatCell writes a report cell as its column's type says: counts with
 * grouping, money in the report's currency from its exact digits, percents
 * from their ratio ("0.3333" is 33.33 %), durations in days and hours; an
 * undefined figure ("" or null) is "—".
 */
export function formatCell(v: unknown, type: ReportColumn["type"], currency: string | undefined, locale: Locale): string {
  if (v === null || v === undefined || v === "") return "—";
  switch (type) {
    case "integer":
      return typeof v === "number" ? formatNumber(v, locale) : String(v);
    case "money":
      return currency ? formatMoney(String(v), currency, locale) : String(v);
    case "percent": {
      const n = Number(v);
      return Number.isFinite(n) ? `${(n * 100).toFixed(2)} %` : String(v);
    }
    case "duration":
      return typeof v === "number" ? formatDuration(v) : String(v);
    default:
      return String(v);
  }
}

/** columnLabel is a column's label in the locale. */
export function columnLabel(c: Pick<ReportColumn, "label" | "labelZh">, locale: Locale): string {
  return locale === "zh-CN" ? c.labelZh : c.label;
}
