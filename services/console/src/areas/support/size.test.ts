import { describe, expect, it } from "vitest";
import { formatSize } from "./size";

describe("formatSize", () => {
  it("picks the unit", () => {
    expect(formatSize(0, "en")).toBe("0 B");
    expect(formatSize(1023, "en")).toBe("1,023 B");
    expect(formatSize(1536, "en")).toBe("1.5 KB");
    expect(formatSize(25 * 1024 * 1024, "en")).toBe("25 MB");
  });
});
