import { describe, expect, it } from "vitest";
import { abDefaults, abTestBody, formatPValue, formatRate, leader } from "./abtest";

describe("A/B test", () => {
  it("sends no test when it is off", () => {
    expect(abTestBody(abDefaults("t1"), "email")).toBeUndefined();
    expect(abTestBody(undefined, "email")).toBeUndefined();
  });
  it("names the variants by place and keeps what they differ in", () => {
    const local = "2026-12-24T09:30";
    const v = { ...abDefaults("t1"), enabled: true, kind: "subject" as const, variants: [{ templateId: "t1", subject: " Hello " }, { subject: "Hi" }, { subject: "" }], decideAt: local };
    expect(abTestBody(v, "email")).toEqual({
      variants: [{ name: "A", subject: "Hello" }, { name: "B", subject: "Hi" }, { name: "C", subject: undefined }],
      testShare: 20,
      metric: "open",
      decideAt: new Date(local).toISOString(),
      minConfidence: 0.95,
    });
  });
  it("compares an SMS's templates by clicks", () => {
    const v = { ...abDefaults("t1"), enabled: true, kind: "subject" as const, variants: [{ templateId: "t1" }, { templateId: "t2", subject: "x" }], metric: "open" as const };
    expect(abTestBody(v, "sms")).toMatchObject({ variants: [{ name: "A", templateId: "t1" }, { name: "B", templateId: "t2" }], metric: "click", decideAt: "" });
  });
  it("formats p-values and rates", () => {
    expect(formatPValue(0.0004)).toBe("< 0.001");
    expect(formatPValue(0.04567)).toBe("0.046");
    expect(formatRate(0.3333)).toBe("33.3%");
  });
  it("leads with the best rate by the metric until decided", () => {
    const v = (name: string, openRate: number, clickRate: number) => ({ name, sent: 10, opens: 0, clicks: 0, openRate, clickRate, pending: 0 });
    const variants = [v("A", 0.2, 0.3), v("B", 0.4, 0.1), v("C", 0.4, 0.1)];
    expect(leader({ variants, metric: "open" })).toBe("B");
    expect(leader({ variants, metric: "click" })).toBe("A");
    expect(leader({ variants, metric: "open", decision: { winner: "C", by: "deadline", at: "", test: "", statistic: 0, pValue: 1, variants } })).toBe("C");
  });
});
