import { describe, expect, it } from "vitest";
import { formatHolidays, formatIntervals, formatWorkdays, parseHolidays, parseIntervals, parseWorkdays } from "./calendar";

describe("parseIntervals", () => {
  it("reads a day with a lunch break, and a day off", () => {
    expect(parseIntervals("09:00-12:00, 13:00-18:00")).toEqual({ ok: true, value: [{ from: "09:00", to: "12:00" }, { from: "13:00", to: "18:00" }] });
    expect(parseIntervals("  ")).toEqual({ ok: true, value: [] });
    expect(parseIntervals("9:00 - 24:00")).toEqual({ ok: true, value: [{ from: "09:00", to: "24:00" }] });
  });
  it("refuses what is not an interval, backwards or overlapping", () => {
    expect(parseIntervals("9-12")).toEqual({ ok: false, reason: "9-12" });
    expect(parseIntervals("18:00-09:00")).toEqual({ ok: false, reason: "18:00-09:00" });
    expect(parseIntervals("09:00-13:00, 12:00-18:00")).toEqual({ ok: false, reason: "12:00-18:00" });
    expect(parseIntervals("25:00-26:00").ok).toBe(false);
  });
  it("is read back as written", () => {
    const text = "08:30-12:00, 13:30-17:30";
    const p = parseIntervals(text);
    expect(p.ok && formatIntervals(p.value)).toBe(text);
  });
});

describe("holidays and adjusted workdays (调休)", () => {
  it("read a date a line with an optional name", () => {
    expect(parseHolidays("2026-10-01 国庆节\n\n2026-10-02")).toEqual({ ok: true, value: [{ date: "2026-10-01", name: "国庆节" }, { date: "2026-10-02" }] });
    expect(parseHolidays("10/01").ok).toBe(false);
  });
  it("read a workday's hours before its name", () => {
    const text = "2026-10-11 09:00-12:00, 13:00-18:00 调休";
    const p = parseWorkdays(text);
    expect(p).toEqual({ ok: true, value: [{ date: "2026-10-11", name: "调休", hours: [{ from: "09:00", to: "12:00" }, { from: "13:00", to: "18:00" }] }] });
    expect(p.ok && formatWorkdays(p.value)).toBe(text);
    expect(parseWorkdays("2026-10-11 调休").ok).toBe(false);
  });
  it("write holidays back as read", () => {
    expect(formatHolidays([{ date: "2026-10-01", name: "国庆节" }, { date: "2026-10-02" }])).toBe("2026-10-01 国庆节\n2026-10-02");
  });
});
