import { describe, expect, it } from "vitest";
import { personName } from "./names";

describe("personName", () => {
  it("puts a Chinese surname first without a space", () => {
    expect(personName({ firstName: "伟", lastName: "张" })).toBe("张伟");
  });
  it("puts a Latin given name first", () => {
    expect(personName({ firstName: "Ada", lastName: "Lovelace" })).toBe("Ada Lovelace");
    expect(personName({ lastName: "Lovelace" })).toBe("Lovelace");
  });
});
