import { describe, expect, it } from "vitest";
import { clock, formatSpan } from "./sla";

const now = new Date("2026-12-07T10:00:00Z");

describe("clock", () => {
  it("has no state without a due time", () => {
    expect(clock(undefined, now).state).toBe("none");
    expect(clock("not a date", now).state).toBe("none");
  });
  it("is overdue once the due time passed", () => {
    expect(clock("2026-12-07T09:59:00Z", now)).toEqual({ state: "overdue", leftMs: -60_000 });
  });
  it("warns within the warning window, its end included", () => {
    expect(clock("2026-12-07T11:00:00Z", now).state).toBe("warning");
    expect(clock("2026-12-07T10:00:00Z", now).state).toBe("warning");
    expect(clock("2026-12-07T11:00:01Z", now).state).toBe("ok");
    expect(clock("2026-12-07T10:20:00Z", now, 15).state).toBe("ok");
  });
});

describe("formatSpan", () => {
  it("writes the two largest units, rounded down", () => {
    expect(formatSpan((3 * 24 + 4) * 3600_000 + 59_000, "en")).toBe("3d 4h");
    expect(formatSpan(2 * 3600_000 + 5 * 60_000, "en")).toBe("2h 5m");
    expect(formatSpan(12 * 60_000 + 59_999, "en")).toBe("12m");
    expect(formatSpan(30_000, "en")).toBe("0m");
    expect(formatSpan(2 * 24 * 3600_000, "en")).toBe("2d");
    expect(formatSpan(3600_000, "en")).toBe("1h");
  });
  it("ignores the sign", () => {
    expect(formatSpan(-(90 * 60_000), "en")).toBe("1h 30m");
  });
  it("speaks Chinese", () => {
    expect(formatSpan((3 * 24 + 4) * 3600_000, "zh-CN")).toBe("3天4小时");
    expect(formatSpan(2 * 3600_000 + 5 * 60_000, "zh-CN")).toBe("2小时5分");
  });
});
