import dayjs from "dayjs";
import { describe, expect, it } from "vitest";
import { byStart, range, rescheduled, startOf, weekStart, type Activity } from "./time";

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
