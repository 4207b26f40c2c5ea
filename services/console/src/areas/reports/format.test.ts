import { describe, expect, it } from "vitest";
import { formatCell, formatDuration } from "./format";

describe("report cells", () => {
  it("write each type", () => {
    expect(formatCell(1234, "integer", undefined, "en")).toBe("1,234");
    expect(formatCell("0.3333", "percent", undefined, "en")).toBe("33.33 %");
    expect(formatCell("", "percent", undefined, "en")).toBe("—");
    expect(formatCell("1234.50", "money", "USD", "en")).toBe("$1,234.50");
    expect(formatCell(90061, "duration", undefined, "en")).toBe("1d 1h");
  });
  it("write durations", () => {
    expect(formatDuration(45)).toBe("45s");
    expect(formatDuration(3600 + 120)).toBe("1h 2m");
  });
});
