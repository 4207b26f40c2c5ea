import dayjs from "dayjs";
import { describe, expect, it } from "vitest";
import { byStart, layDay, range, rescheduled, startOf, weekStart, type Activity } from "./time";

const base = { id: "1", createdAt: "2026-12-01T00:00:00Z", createdBy: "u", updatedAt: "2026-12-01T00:00:00Z", version: 3 };
const meeting: Activity = { ...base, type: "meeting", meeting: { startAt: "2026-12-02T02:00:00Z", endAt: "2026-12-02T03:30:00Z" } };
const task: Activity = { ...base, id: "2", type: "task", task: { priority: "normal", dueAt: "2026-12-02T09:00:00+08:00" } };

describe("calendar times", () => {
  it("moves a meeting keeping its length, a task's due time", () => {
    const to = dayjs("2026-12-05T10:15:00Z");
    expect(rescheduled(meeting, to)).toEqual({ meeting: { startAt: "2026-12-05T10:15:00.000Z", endAt: "2026-12-05T11:45:00.000Z" } });
    expect(rescheduled(task, to)).toEqual({ task: { dueAt: "2026-12-05T10:15:00.000Z" } });
  });

  it("sorts by the instant, whatever the offset", () => {
    expect(startOf(task)).toBe("2026-12-02T09:00:00+08:00");
    expect([meeting, task].sort(byStart).map((a) => a.id)).toEqual(["2", "1"]); // 01:00Z before 02:00Z
  });

  it("reads a week from Monday and a month's whole grid", () => {
    const sunday = dayjs("2026-12-06T15:00:00");
    expect(weekStart(sunday).format("YYYY-MM-DD HH:mm")).toBe("2026-11-30 00:00");
    const [from, to] = range("week", sunday);
    expect(to.diff(from, "day")).toBe(7);
    const [mFrom, mTo] = range("month", sunday);
    expect(mFrom.format("YYYY-MM-DD")).toBe("2026-11-29");
    expect(mTo.diff(mFrom, "day")).toBe(43);
    expect(range("day", sunday).map((d) => d.format("YYYY-MM-DD HH:mm"))).toEqual(["2026-12-06 00:00", "2026-12-07 00:00"]);
  });
});

describe("the week grid's layout", () => {
  const at = (id: string, start: string, end: string): Activity => ({ ...base, id, type: "meeting", meeting: { startAt: start, endAt: end } });
  const day = dayjs("2026-12-02T00:00:00");
  const laid = (items: Activity[]) => layDay(items, day).map((p) => [p.a.id, p.start.format("HH:mm"), p.end.format("HH:mm"), p.lane, p.lanes]);

  it("spans a meeting from its start to its end, a task half an hour", () => {
    expect(laid([at("m", "2026-12-02T10:00:00", "2026-12-02T11:30:00"), { ...task, task: { priority: "normal", dueAt: "2026-12-02T15:00:00" } }])).toEqual([
      ["m", "10:00", "11:30", 0, 1],
      ["2", "15:00", "15:30", 0, 1],
    ]);
  });

  it("puts overlapping items side by side, a later run alone", () => {
    const items = [
      at("a", "2026-12-02T09:00:00", "2026-12-02T11:00:00"),
      at("b", "2026-12-02T09:30:00", "2026-12-02T10:00:00"),
      at("c", "2026-12-02T10:00:00", "2026-12-02T10:30:00"),
      at("d", "2026-12-02T12:00:00", "2026-12-02T13:00:00"),
    ];
    expect(laid(items)).toEqual([
      ["a", "09:00", "11:00", 0, 2],
      ["b", "09:30", "10:00", 1, 2],
      ["c", "10:00", "10:30", 1, 2],
      ["d", "12:00", "13:00", 0, 1],
    ]);
  });

  it("ends a meeting past midnight at the day's end and leaves other days' out", () => {
    const items = [at("late", "2026-12-02T23:00:00", "2026-12-03T01:00:00"), at("next", "2026-12-03T09:00:00", "2026-12-03T10:00:00")];
    expect(laid(items)).toEqual([["late", "23:00", "00:00", 0, 1]]);
  });
});
