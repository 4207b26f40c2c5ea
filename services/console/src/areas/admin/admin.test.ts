import { describe, expect, it } from "vitest";
import { allPermissions, permissionGroups } from "./permissions";
import { conditionText, leadFilterFields, moved } from "./ruleFields";

const t = (k: string) => ({ "admin.rules.and": " and ", "admin.rules.or": " or ", "filter.op.eq": "is", "filter.op.gte": "from / at least", "admin.lead.source": "Source", "admin.lead.score": "Score" })[k] ?? k;

describe("moved", () => {
  it("puts a rule dragged up or down at its new place", () => {
    expect(moved(["a", "b", "c"], 2, 0)).toEqual(["c", "a", "b"]);
    expect(moved(["a", "b", "c"], 0, 2)).toEqual(["b", "c", "a"]);
    expect(moved(["a", "b", "c"], 1, 1)).toEqual(["a", "b", "c"]);
  });
});

describe("conditionText", () => {
  const fields = leadFilterFields(t, []);
  it("says a condition or a group in words", () => {
    expect(conditionText(t, { field: "source", op: "eq", value: "web" }, fields)).toBe("Source is web");
    expect(conditionText(t, { and: [{ field: "source", op: "eq", value: "web" }, { field: "score", op: "gte", value: 50 }] }, fields)).toBe("Source is web and Score from / at least 50");
  });
  it("gives the JSON of what the builder cannot show", () => {
    expect(conditionText(t, { not: { field: "source", op: "eq", value: "web" } }, fields)).toBe('{"not":{"field":"source","op":"eq","value":"web"}}');
  });
});

describe("permissions", () => {
  it("list each permission once, the gateway's management ones included", () => {
    expect(new Set(allPermissions).size).toBe(allPermissions.length);
    for (const p of ["users:manage", "api-keys:manage", "sso:manage", "audit:read", "webhooks:manage", "sales:admin", "*"]) expect(allPermissions).toContain(p);
    expect(permissionGroups.map((g) => g.key)).toContain("management");
  });
});
