import { describe, expect, it } from "vitest";
import { buildFilter, customFilterField, newRow, parseFilter, rowCondition, type FilterField, type Row } from "./model";

const fields: FilterField[] = [
  { name: "lastName", label: "Last name", type: "string" },
  { name: "lifecycleStage", label: "Stage", type: "enum", values: ["lead", "customer"] },
  { name: "tags", label: "Tags", type: "stringArray" },
  { name: "lastActivityAt", label: "Last activity", type: "time" },
  { name: "annualRevenue.amountMinor", label: "Revenue", type: "number" },
  { name: "ownerId", label: "Owner", type: "uuid" },
  customFilterField({ key: "budget", label: "Budget", type: "decimal" }),
  customFilterField({ key: "vip", label: "VIP", type: "boolean" }),
  customFilterField({ key: "tier", label: "Tier", type: "singleSelect", options: ["gold", "silver"] }),
  customFilterField({ key: "since", label: "Since", type: "date" }),
];

function row(field: string, op: Row["op"], value: Row["value"]): Row {
  return { key: field + op, field, op, value };
}

describe("buildFilter", () => {
  it("writes the issue's example exactly as libs/filter reads it", () => {
    const f = buildFilter(
      {
        match: "and",
        rows: [row("tags", "contains", ["purchase-intent"]), row("lastActivityAt", "within", "90d"), row("lifecycleStage", "ne", "customer")],
      },
      fields,
    );
    expect(JSON.stringify(f)).toBe(
      '{"and":[{"field":"tags","op":"contains","value":"purchase-intent"},{"field":"lastActivityAt","op":"within","value":"90d"},{"field":"lifecycleStage","op":"ne","value":"customer"}]}',
    );
  });

  it("gives one condition alone, an or group, and nothing without a complete row", () => {
    expect(buildFilter({ match: "or", rows: [row("lastName", "startsWith", "张")] }, fields)).toEqual({ field: "lastName", op: "startsWith", value: "张" });
    expect(buildFilter({ match: "or", rows: [row("lastName", "eq", "Li"), row("lastName", "eq", "Wang")] }, fields)).toEqual({
      or: [
        { field: "lastName", op: "eq", value: "Li" },
        { field: "lastName", op: "eq", value: "Wang" },
      ],
    });
    expect(buildFilter({ match: "and", rows: [] }, fields)).toBeUndefined();
    expect(buildFilter({ match: "and", rows: [row("lastName", "eq", ""), row("", "eq", "x")] }, fields)).toBeUndefined();
  });

  it("keeps the complete rows and leaves out those still being written", () => {
    expect(buildFilter({ match: "and", rows: [row("lastName", "eq", "Li"), row("lastActivityAt", "within", "9")] }, fields)).toEqual({
      field: "lastName",
      op: "eq",
      value: "Li",
    });
  });
});

describe("rowCondition", () => {
  it("types values as the field's type wants them", () => {
    expect(rowCondition(row("annualRevenue.amountMinor", "gte", "100000"), fields)).toEqual({ field: "annualRevenue.amountMinor", op: "gte", value: 100000 });
    expect(rowCondition(row("annualRevenue.amountMinor", "gte", "1.5"), fields)).toBeUndefined();
    expect(rowCondition(row("customFields.budget", "gte", "10000.50"), fields)).toEqual({ field: "customFields.budget", op: "gte", value: "10000.50" });
    expect(rowCondition(row("customFields.budget", "gte", "1e5"), fields)).toBeUndefined();
    expect(rowCondition(row("customFields.vip", "eq", true), fields)).toEqual({ field: "customFields.vip", op: "eq", value: true });
    expect(rowCondition(row("customFields.since", "gte", "2026-05-01"), fields)).toEqual({ field: "customFields.since", op: "gte", value: "2026-05-01" });
    expect(rowCondition(row("customFields.since", "gte", "May 1"), fields)).toBeUndefined();
    expect(rowCondition(row("lastActivityAt", "lt", "2026-05-01"), fields)).toEqual({ field: "lastActivityAt", op: "lt", value: "2026-05-01" });
  });

  it("writes tags as an element, all of several, or any of them", () => {
    expect(rowCondition(row("tags", "contains", ["vip"]), fields)).toEqual({ field: "tags", op: "contains", value: "vip" });
    expect(rowCondition(row("tags", "contains", ["vip", "partner"]), fields)).toEqual({ field: "tags", op: "contains", value: ["vip", "partner"] });
    expect(rowCondition(row("tags", "in", ["vip", "partner"]), fields)).toEqual({ field: "tags", op: "in", value: ["vip", "partner"] });
    expect(rowCondition(row("tags", "in", []), fields)).toBeUndefined();
  });

  it("splits isEmpty into empty and not empty", () => {
    expect(rowCondition(row("tags", "isEmpty", null), fields)).toEqual({ field: "tags", op: "isEmpty" });
    expect(rowCondition(row("lastName", "isNotEmpty", null), fields)).toEqual({ field: "lastName", op: "isEmpty", value: false });
  });

  it("takes within only as a count and a unit", () => {
    for (const d of ["12h", "90d", "2w", "3m", "1y"]) expect(rowCondition(row("lastActivityAt", "within", d), fields)).toEqual({ field: "lastActivityAt", op: "within", value: d });
    for (const d of ["0d", "90", "d", "-1d", "90 d", "5s"]) expect(rowCondition(row("lastActivityAt", "within", d), fields)).toBeUndefined();
  });

  it("refuses an operator the field's type does not take", () => {
    expect(rowCondition(row("lifecycleStage", "contains", "cust"), fields)).toBeUndefined();
    expect(rowCondition(row("customFields.vip", "lt", true), fields)).toBeUndefined();
    expect(rowCondition(row("nope", "eq", "x"), fields)).toBeUndefined();
  });

  it("reads a comma-separated list for in on a text field", () => {
    expect(rowCondition(row("lastName", "in", "Li, Wang,"), fields)).toEqual({ field: "lastName", op: "in", value: ["Li", "Wang"] });
    expect(rowCondition(row("customFields.tier", "in", ["gold"]), fields)).toEqual({ field: "customFields.tier", op: "in", value: ["gold"] });
  });
});

describe("parseFilter", () => {
  it("reads back what buildFilter wrote", () => {
    const state = {
      match: "or" as const,
      rows: [row("tags", "in", ["a", "b"]), row("lastName", "isNotEmpty", null), row("annualRevenue.amountMinor", "gt", "5"), row("customFields.vip", "ne", false)],
    };
    const built = buildFilter(state, fields);
    const back = parseFilter(built, fields);
    expect(back?.match).toBe("or");
    expect(buildFilter(back!, fields)).toEqual(built);
  });

  it("gives undefined for a filter the builder cannot show, and no rows for none", () => {
    expect(parseFilter({ not: { field: "lastName", op: "eq", value: "x" } }, fields)).toBeUndefined();
    expect(parseFilter({ and: [{ or: [{ field: "lastName", op: "eq", value: "x" }] }] }, fields)).toBeUndefined();
    expect(parseFilter({ field: "unknown", op: "eq", value: "x" }, fields)).toBeUndefined();
    expect(parseFilter(undefined, fields)).toEqual({ match: "and", rows: [] });
  });
});

describe("customFilterField", () => {
  it("types custom fields as the services filter them", () => {
    expect(customFilterField({ key: "n", label: "N", type: "number" }).type).toBe("decimal");
    expect(customFilterField({ key: "c", label: "C", type: "currency" }).type).toBe("number");
    expect(customFilterField({ key: "d", label: "D", type: "datetime" }).type).toBe("time");
    expect(customFilterField({ key: "m", label: "M", type: "multiSelect", options: ["x"] })).toEqual({
      name: "customFields.m",
      label: "M",
      type: "stringArray",
      values: ["x"],
    });
    expect(customFilterField({ key: "u", label: "U", type: "url" }).type).toBe("string");
  });

  it("starts a row with its field's first operator", () => {
    const r = newRow(fields[2]);
    expect(r.field).toBe("tags");
    expect(r.op).toBe("contains");
    expect(r.value).toEqual([]);
  });
});
