import { describe, expect, it } from "vitest";
import { nextStatuses, reopenable } from "./api";

describe("nextStatuses", () => {
  it("never goes back to new, nor out of closed", () => {
    for (const s of ["new", "open", "pending_customer", "on_hold", "solved", "closed"] as const) {
      expect(nextStatuses(s, true)).not.toContain("new");
      expect(nextStatuses(s, true)).not.toContain(s);
    }
    expect(nextStatuses("closed", true)).toEqual([]);
  });
  it("closes only a solved case", () => {
    expect(nextStatuses("open", true)).not.toContain("closed");
    expect(nextStatuses("solved", false)).toEqual(["closed"]);
    expect(nextStatuses("solved", true)).toEqual(["open", "closed"]);
  });
});

describe("reopenable", () => {
  const now = new Date("2026-12-07T10:00:00Z");
  it("holds within the window only", () => {
    expect(reopenable("2026-12-01T10:00:01Z", 6, now)).toBe(true);
    expect(reopenable("2026-12-01T10:00:00Z", 6, now)).toBe(false);
    expect(reopenable(undefined, 0, now)).toBe(true);
  });
});
