import { beforeEach, describe, expect, it } from "vitest";
import { recentLimit, recentRecords, rememberRecord } from "./recent";

describe("rememberRecord", () => {
  beforeEach(() => localStorage.clear());

  it("keeps the last opened first, each record once", () => {
    rememberRecord({ type: "contact", id: "a", label: "张伟", path: "/contacts/a" }, "u1");
    rememberRecord({ type: "lead", id: "b", label: "Ada", path: "/leads/b" }, "u1");
    rememberRecord({ type: "contact", id: "a", label: "张伟 (renamed)", path: "/contacts/a" }, "u1");
    expect(recentRecords("u1").map((r) => [r.type, r.id, r.label])).toEqual([
      ["contact", "a", "张伟 (renamed)"],
      ["lead", "b", "Ada"],
    ]);
  });

  it("keeps a list per user", () => {
    rememberRecord({ type: "contact", id: "a", label: "A", path: "/contacts/a" }, "u1");
    expect(recentRecords("u2")).toEqual([]);
    expect(recentRecords("")).toEqual([]);
  });

  it("keeps only the last entries and survives a broken store", () => {
    for (let i = 0; i < recentLimit + 5; i++) rememberRecord({ type: "lead", id: String(i), label: `L${i}`, path: `/leads/${i}` }, "u1");
    const list = recentRecords("u1");
    expect(list).toHaveLength(recentLimit);
    expect(list[0].id).toBe(String(recentLimit + 4));
    localStorage.setItem("rapport.recent.u1", "{not json");
    expect(recentRecords("u1")).toEqual([]);
    localStorage.setItem("rapport.recent.u1", JSON.stringify([{ type: 1 }, { type: "lead", id: "x", label: "X", path: "/leads/x", at: 1 }]));
    expect(recentRecords("u1").map((r) => r.id)).toEqual(["x"]);
  });
});
