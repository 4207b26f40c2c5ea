import { describe, expect, it } from "vitest";
import { exceeds, lineTotalMinor, minorToDecimal, scaled, toMinor } from "./money";

describe("lineTotalMinor", () => {
  it("multiplies, discounts and rounds half to even in minor units", () => {
    expect(lineTotalMinor("2.5", 1200n, "10")).toBe(2700n);
    expect(lineTotalMinor("1", 10000n, "35")).toBe(6500n);
    // 1 × 5 less 50 % is 2.5 minor units: half to even gives 2, 3 × 5 → 7.5 → 8.
    expect(lineTotalMinor("1", 5n, "50")).toBe(2n);
    expect(lineTotalMinor("3", 5n, "50")).toBe(8n);
    expect(lineTotalMinor("0.0001", 1n, "")).toBe(0n);
  });
  it("keeps digits a float would lose", () => {
    expect(lineTotalMinor("3", 3002399751580331n, "0")).toBe(9007199254740993n);
    expect(lineTotalMinor("0.1", 3n, "0")! + lineTotalMinor("0.2", 3n, "0")!).toBe(1n);
  });
  it("refuses what is not a quantity or a discount", () => {
    expect(lineTotalMinor("1.23456", 100n, "0")).toBeNull();
    expect(lineTotalMinor("x", 100n, "0")).toBeNull();
    expect(lineTotalMinor("1", 100n, "100.01")).toBeNull();
    expect(lineTotalMinor("1", 100n, "-1")).toBeNull();
  });
});

describe("conversions", () => {
  it("reads and writes major units exactly", () => {
    expect(toMinor("12.5", 2)).toBe(1250n);
    expect(toMinor("12.505", 2)).toBeNull();
    expect(toMinor("100", 0)).toBe(100n);
    expect(minorToDecimal(1250n, 2)).toBe("12.50");
    expect(minorToDecimal(5, 2)).toBe("0.05");
    expect(minorToDecimal(100, 0)).toBe("100");
    expect(scaled(".5", 2)).toBe(50n);
    expect(scaled("", 2)).toBeNull();
  });
  it("compares decimal strings", () => {
    expect(exceeds("15", "10")).toBe(true);
    expect(exceeds("10.00", "10")).toBe(false);
    expect(exceeds("9.99", "10")).toBe(false);
    expect(exceeds("", "10")).toBe(false);
  });
});
