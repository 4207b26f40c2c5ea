import { describe, expect, it } from "vitest";
import { currencyDigits, lineTotal, toMinor } from "./amount";

describe("toMinor", () => {
  it("reads decimals as minor units", () => {
    expect(toMinor("5000", 2)).toBe(500000);
    expect(toMinor("12.5", 2)).toBe(1250);
    expect(toMinor("1,000.05", 2)).toBe(100005);
    expect(toMinor("300", 0)).toBe(300);
  });
  it("refuses what is not an amount of the currency", () => {
    expect(toMinor("1.234", 2)).toBeNull();
    expect(toMinor("-5", 2)).toBeNull();
    expect(toMinor("abc", 2)).toBeNull();
    expect(toMinor("", 2)).toBeNull();
    expect(toMinor("1.5", 0)).toBeNull();
  });
});

describe("currencyDigits", () => {
  it("knows a currency's minor digits", () => {
    expect(currencyDigits("CNY")).toBe(2);
    expect(currencyDigits("JPY")).toBe(0);
  });
});

describe("lineTotal", () => {
  it("multiplies, discounts and rounds half to even", () => {
    expect(lineTotal(1000, "3", "")).toBe(3000);
    expect(lineTotal(1000, "2.5", "10")).toBe(2250);
    expect(lineTotal(5, "0.5", "0")).toBe(2);
    expect(lineTotal(15, "0.5", "0")).toBe(8);
    expect(lineTotal(999, "1", "33.33")).toBe(666);
  });
  it("refuses what the API refuses", () => {
    expect(lineTotal(100, "1.00001", "0")).toBeNull();
    expect(lineTotal(100, "1", "100.5")).toBeNull();
    expect(lineTotal(100, "x", "0")).toBeNull();
  });
});
