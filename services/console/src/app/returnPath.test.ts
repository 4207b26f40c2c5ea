import { describe, expect, it } from "vitest";
import { safeReturn } from "./returnPath";

describe("safeReturn", () => {
  it("keeps a local path", () => expect(safeReturn("/contacts/1?x=2")).toBe("/contacts/1?x=2"));
  it("refuses other origins and loops", () => {
    for (const p of ["//evil.example", "https://evil.example", "/\\evil", "/signin?return=/", null, ""]) expect(safeReturn(p)).toBe("/");
  });
});
