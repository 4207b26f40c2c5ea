import { describe, expect, it } from "vitest";
import { smsLength } from "./sms";

describe("smsLength", () => {
  it("counts GSM-7 in septets, 160 in one message and 153 a part after", () => {
    expect(smsLength("")).toEqual({ encoding: "GSM-7", units: 0, segments: 0 });
    expect(smsLength("a".repeat(160))).toEqual({ encoding: "GSM-7", units: 160, segments: 1 });
    expect(smsLength("a".repeat(161))).toEqual({ encoding: "GSM-7", units: 161, segments: 2 });
    expect(smsLength("a".repeat(306))).toEqual({ encoding: "GSM-7", units: 306, segments: 2 });
    expect(smsLength("a".repeat(307)).segments).toBe(3);
  });

  it("counts extension characters twice and never splits one", () => {
    expect(smsLength("€").units).toBe(2);
    expect(smsLength("a".repeat(152) + "€" + "a".repeat(10))).toEqual({ encoding: "GSM-7", units: 164, segments: 2 });
    expect(smsLength("a".repeat(152) + "€".repeat(77)).segments).toBe(3);
  });

  it("counts Chinese as UCS-2, 70 in one message and 67 a part after", () => {
    expect(smsLength("你好".repeat(35))).toEqual({ encoding: "UCS-2", units: 70, segments: 1 });
    expect(smsLength("你好".repeat(35) + "!")).toEqual({ encoding: "UCS-2", units: 71, segments: 2 });
  });

  it("counts an emoji outside the BMP as two units", () => {
    expect(smsLength("😀")).toEqual({ encoding: "UCS-2", units: 2, segments: 1 });
    expect(smsLength("a".repeat(66) + "😀" + "a".repeat(3)).segments).toBe(2);
  });
});
