import { describe, expect, it } from "vitest";
import { displayName, matchesPerson, type Person } from "./people";

const zoe: Person = { id: "01a24d20-f16a-7940-b005-98ca4d92289a", name: "Zoë Colleague", email: "zoe.c@acme.test", teamIds: [] };
const wei: Person = { id: "01a24d20-f16a-7940-b005-98ca4d92289b", name: "", email: "zhang.wei@acme.test", teamIds: [] };

describe("matchesPerson", () => {
  it("matches part of the name or the email in any case", () => {
    expect(matchesPerson(zoe, "ZOË")).toBe(true);
    expect(matchesPerson(zoe, "lleag")).toBe(true);
    expect(matchesPerson(zoe, "C@ACME")).toBe(true);
    expect(matchesPerson(zoe, " zo ")).toBe(true);
    expect(matchesPerson(zoe, "wei")).toBe(false);
  });
});

describe("displayName", () => {
  it("is the name, else the email", () => {
    expect(displayName(zoe)).toBe("Zoë Colleague");
    expect(displayName(wei)).toBe("zhang.wei@acme.test");
  });
});
