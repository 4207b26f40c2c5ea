import { describe, expect, it } from "vitest";
import { roiPercent, roiTone } from "./roi";

describe("roiPercent", () => {
  it("moves the point by two digits without a float", () => {
    expect(roiPercent("1.5000")).toBe("150.00");
    expect(roiPercent("0.0012")).toBe("0.12");
    expect(roiPercent("-0.2500")).toBe("-25.00");
    expect(roiPercent("12345678901234.9999")).toBe("1234567890123499.99");
    expect(roiPercent("0.0000")).toBe("0.00");
    expect(roiPercent("-0.0000")).toBe("0.00");
  });

  it("gives nothing for no ROI or one it cannot read", () => {
    expect(roiPercent(null)).toBeUndefined();
    expect(roiPercent(undefined)).toBeUndefined();
    expect(roiPercent("1.5")).toBeUndefined();
  });
});

describe("roiTone", () => {
  it("tells gains, losses, breaking even and none apart", () => {
    expect(roiTone("0.5000")).toBe("gain");
    expect(roiTone("-1.0000")).toBe("loss");
    expect(roiTone("0.0000")).toBe("even");
    expect(roiTone(null)).toBe("none");
  });
});
