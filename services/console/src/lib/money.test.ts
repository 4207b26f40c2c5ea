import { describe, expect, it } from "vitest";
import { formatMinor, formatMoney } from "./money";

describe("formatMoney", () => {
  it("formats yuan in Chinese and English", () => {
    expect(formatMoney("221988.9", "CNY", "zh-CN")).toBe("¥221,988.90");
    expect(formatMoney("221988.90", "CNY", "en")).toBe("CN¥221,988.90");
  });
  it("groups and rounds half away from zero from the digits, not a float", () => {
    expect(formatMoney("1.005", "USD", "en")).toBe("$1.01");
    expect(formatMoney("9999999999999999.995", "USD", "en")).toBe("$10,000,000,000,000,000.00");
    expect(formatMoney("-0.004", "USD", "en")).toBe("$0.00");
    expect(formatMoney("-1234.5", "EUR", "en")).toBe("-€1,234.50");
  });
  it("keeps a currency's own number of digits", () => {
    expect(formatMoney("1234.5", "JPY", "en")).toBe("¥1,235");
  });
  it("returns what is not a number as it is", () => {
    expect(formatMoney("abc", "USD", "en")).toBe("abc");
    expect(formatMoney("", "USD", "en")).toBe("");
  });
});

describe("formatMinor", () => {
  it("reads minor units", () => {
    expect(formatMinor(12345, "CNY", "zh-CN")).toBe("¥123.45");
    expect(formatMinor(-5, "USD", "en")).toBe("-$0.05");
    expect(formatMinor(100, "JPY", "en")).toBe("¥100");
  });
});
