import { describe, expect, it } from "vitest";
import { nextWorkOrderStatuses, remainingShare } from "./contracts";

describe("nextWorkOrderStatuses", () => {
  it("ends at completed or cancelled", () => {
    expect(nextWorkOrderStatuses("completed")).toEqual([]);
    expect(nextWorkOrderStatuses("cancelled")).toEqual([]);
    expect(nextWorkOrderStatuses("new")).not.toContain("completed");
    expect(nextWorkOrderStatuses("in_progress")).toEqual(["completed", "cancelled"]);
  });
});

describe("remainingShare", () => {
  it("is the percentage left, within 0 and 100", () => {
    expect(remainingShare({ kind: "cases", total: 10, used: 3, remaining: 7 })).toBe(70);
    expect(remainingShare({ kind: "hours", total: 0, used: 0, remaining: 0 })).toBe(0);
    expect(remainingShare({ kind: "hours", total: 3, used: 1, remaining: 2 })).toBe(67);
  });
});
