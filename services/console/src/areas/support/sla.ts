import type { Locale } from "../../i18n/types";

/** ClockState is how near a due time is: none (no target), ok, warning (within the warning window), overdue. */
export type ClockState = "none" | "ok" | "warning" | "overdue";

/** defaultWarningMinutes is the window before a due time in which a clock turns amber. */
export const defaultWarningMinutes = 60;

/** Clock is a due time seen at a moment: its state and the time left (negative once overdue). */
export interface Clock {
  state: ClockState;
  /** leftMs is the time until the due time, below zero when it passed. */
  leftMs: number;
}

/** clock reads a due time (ISO) at now: overdue once passed, warning within warningMinutes of it. */
export function clock(dueAt: string | null | undefined, now: Date, warningMinutes = defaultWarningMinutes): Clock {
  if (!dueAt) return { state: "none", leftMs: 0 };
  const due = new Date(dueAt).getTime();
  if (Number.isNaN(due)) return { state: "none", leftMs: 0 };
  const leftMs = due - now.getTime();
  if (leftMs < 0) return { state: "overdue", leftMs };
  if (leftMs <= warningMinutes * 60_000) return { state: "warning", leftMs };
  return { state: "ok", leftMs };
}

const units: Record<Locale, { d: string; h: string; m: string; sep: string }> = {
  en: { d: "d", h: "h", m: "m", sep: " " },
  "zh-CN": { d: "天", h: "小时", m: "分", sep: "" },
};

/**
 * formatSpan writes a span of time, whatever its sign, in its two largest
 * units (3d 4h, 2h 5m, 12m; 3天4小时 in Chinese), rounded down to the
 * minute; under a minute is 0m.
 */
export function formatSpan(ms: number, locale: Locale): string {
  const u = units[locale];
  const minutes = Math.floor(Math.abs(ms) / 60_000);
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  if (d > 0) return h > 0 ? `${d}${u.d}${u.sep}${h}${u.h}` : `${d}${u.d}`;
  if (h > 0) return m > 0 ? `${h}${u.h}${u.sep}${m}${u.m}` : `${h}${u.h}`;
  return `${m}${u.m}`;
}

/** clockColors are the Tag colours of the states, dark enough for white text at 4.5:1. */
export const clockColors: Record<ClockState, string> = {
  none: "default",
  ok: "#237804",
  warning: "#874d00",
  overdue: "#a8071a",
};
