import { describe, expect, it } from "vitest";
import { cancelable, exclusionReasons, finished, scheduledAt, wizardStep } from "./sends";

describe("sends", () => {
  it("lists every exclusion reason the API counts", () => {
    expect(exclusionReasons).toEqual(["noConsent", "suppressed", "hardBounce", "complaint", "noAddress", "unresolvedField"]);
  });
  it("knows when a send stops changing and when it can be canceled", () => {
    expect(finished({ status: "completed" })).toBe(true);
    expect(finished({ status: "sending" })).toBe(false);
    expect(cancelable({ status: "scheduled" })).toBe(true);
    expect(cancelable({ status: "canceled" })).toBe(false);
  });
  it("reads a local date-time as UTC and nothing else", () => {
    const local = "2026-12-24T09:30";
    expect(scheduledAt(local)).toBe(new Date(local).toISOString());
    expect(scheduledAt("")).toBeUndefined();
    expect(scheduledAt("tomorrow")).toBeUndefined();
  });
  it("finds the wizard's step that shows a problem's field", () => {
    expect(wizardStep("templateId")).toBe(0);
    expect(wizardStep("segmentId")).toBe(1);
    expect(wizardStep("utm/source")).toBe(2);
    expect(wizardStep("abTest/variants/1/subject")).toBe(2);
    expect(wizardStep("")).toBe(3);
  });
});
