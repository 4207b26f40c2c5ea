import type { components } from "../../api/schema";

/** The SLA's shapes (generated from the OpenAPI document). */
export type BusinessCalendar = components["schemas"]["BusinessCalendar"];
export type SLAPolicy = components["schemas"]["SLAPolicy"];
export type Interval = components["schemas"]["WorkingIntervals"][number];

/** weekdays are the keys of a calendar's hours, Monday first. */
export const weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] as const;

const hhmm = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;

/** Parsed is a parser's answer: the value, or the reason it could not read the text. */
export type Parsed<V> = { ok: true; value: V } | { ok: false; reason: string };

/**
 * parseIntervals reads a day's working intervals as people write them,
 * "09:00-12:00, 13:00-18:00" (an empty text is a day off): each HH:MM to
 * HH:MM (24:00 is midnight), in order and not overlapping.
 */
export function parseIntervals(text: string): Parsed<Interval[]> {
  const out: Interval[] = [];
  for (const part of text.split(/[,，;]/).map((p) => p.trim()).filter((p) => p !== "")) {
    const m = /^(\d{1,2}:\d{2})\s*[-–~]\s*(\d{1,2}:\d{2})$/.exec(part);
    if (!m) return { ok: false, reason: part };
    const [from, to] = [m[1].padStart(5, "0"), m[2].padStart(5, "0")];
    if (!hhmm.test(from) || !hhmm.test(to) || from === "24:00" || to <= from) return { ok: false, reason: part };
    if (out.length > 0 && from < out[out.length - 1].to) return { ok: false, reason: part };
    out.push({ from, to });
  }
  return { ok: true, value: out };
}

/** formatIntervals writes intervals as parseIntervals reads them. */
export function formatIntervals(list: Interval[] | undefined): string {
  return (list ?? []).map((i) => `${i.from}-${i.to}`).join(", ");
}

/** DatedLine is a line of a holidays or workdays list: its date and the rest of the line. */
interface DatedLine {
  date: string;
  rest: string;
}

/** datedLines reads lines that start with a date (YYYY-MM-DD); blank lines are skipped. */
function datedLines(text: string): Parsed<DatedLine[]> {
  const out: DatedLine[] = [];
  for (const line of text.split("\n").map((l) => l.trim()).filter((l) => l !== "")) {
    const m = /^(\d{4}-\d{2}-\d{2})\s*(.*)$/.exec(line);
    if (!m || Number.isNaN(Date.parse(`${m[1]}T00:00:00Z`))) return { ok: false, reason: line };
    out.push({ date: m[1], rest: m[2].trim() });
  }
  return { ok: true, value: out };
}

/** parseHolidays reads one holiday a line: "2026-10-01 国庆节" (the name is optional). */
export function parseHolidays(text: string): Parsed<{ date: string; name?: string }[]> {
  const lines = datedLines(text);
  if (!lines.ok) return lines;
  return { ok: true, value: lines.value.map((l) => (l.rest ? { date: l.date, name: l.rest } : { date: l.date })) };
}

/**
 * parseWorkdays reads one adjusted working day (调休) a line: its date, its
 * hours and an optional name after them, "2026-10-11 09:00-18:00 调休".
 */
export function parseWorkdays(text: string): Parsed<{ date: string; name?: string; hours: Interval[] }[]> {
  const lines = datedLines(text);
  if (!lines.ok) return lines;
  const out: { date: string; name?: string; hours: Interval[] }[] = [];
  for (const l of lines.value) {
    const m = /^([\d:\s,，\-–~]+)(.*)$/.exec(l.rest);
    const hours = m ? parseIntervals(m[1]) : ({ ok: false, reason: l.rest } as const);
    if (!hours.ok || hours.value.length === 0) return { ok: false, reason: `${l.date} ${l.rest}` };
    const name = m![2].trim();
    out.push(name ? { date: l.date, name, hours: hours.value } : { date: l.date, hours: hours.value });
  }
  return { ok: true, value: out };
}

/** formatHolidays writes holidays as parseHolidays reads them. */
export function formatHolidays(list: { date: string; name?: string }[] | null | undefined): string {
  return (list ?? []).map((h) => (h.name ? `${h.date} ${h.name}` : h.date)).join("\n");
}

/** formatWorkdays writes adjusted working days as parseWorkdays reads them. */
export function formatWorkdays(list: { date: string; name?: string; hours: Interval[] }[] | null | undefined): string {
  return (list ?? []).map((w) => [w.date, formatIntervals(w.hours), w.name].filter(Boolean).join(" ")).join("\n");
}
