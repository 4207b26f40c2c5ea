import { describe, expect, it } from "vitest";
import { buildFilter } from "../../components/filter/model";
import { audienceSearch, parseContactIds, segmentFilterFields } from "./segments";

const t = (k: string) => k;

describe("segmentFilterFields", () => {
  it("offers the audience's fields and marketing facts with their filter types", () => {
    const fields = segmentFilterFields(t);
    const byName = Object.fromEntries(fields.map((f) => [f.name, f]));
    expect(byName.emailConsent.type).toBe("enum");
    expect(byName.emailConsent.values).toEqual(["granted", "denied", "unknown"]);
    expect(byName.tags.type).toBe("stringArray");
    expect(byName.lastClickedAt.type).toBe("time");
    expect(byName.campaignIds.type).toBe("stringArray");
    expect(byName.city.label).toBe("marketing.field.city");
    expect(fields.some((f) => f.name === "emails")).toBe(false);
  });

  it("builds the filter the preview reads from rows over them", () => {
    const fields = segmentFilterFields(t);
    const f = buildFilter(
      {
        match: "and",
        rows: [
          { key: "a", field: "city", op: "eq", value: "Shanghai" },
          { key: "b", field: "emailConsent", op: "eq", value: "granted" },
        ],
      },
      fields,
    );
    expect(f).toEqual({
      and: [
        { field: "city", op: "eq", value: "Shanghai" },
        { field: "emailConsent", op: "eq", value: "granted" },
      ],
    });
  });
});

describe("parseContactIds", () => {
  it("reads ids split by commas, spaces and lines, once each, lower-cased", () => {
    const a = "0B9E8A3C-1111-4222-8333-944455556666";
    const b = "0b9e8a3c-1111-4222-8333-944455557777";
    expect(parseContactIds(`${a}, ${b}\n${a.toLowerCase()}`)).toEqual({ ids: [a.toLowerCase(), b], invalid: [] });
  });

  it("sets apart what is not an id", () => {
    expect(parseContactIds("ada@example.com  42")).toEqual({ ids: [], invalid: ["ada@example.com", "42"] });
    expect(parseContactIds("  ")).toEqual({ ids: [], invalid: [] });
  });
});

describe("audienceSearch", () => {
  it("looks for the text in names and addresses, and for nothing when empty", () => {
    expect(JSON.parse(audienceSearch(" 张 ")!)).toEqual({
      or: [
        { field: "displayName", op: "contains", value: "张" },
        { field: "email", op: "contains", value: "张" },
      ],
    });
    expect(audienceSearch("  ")).toBeUndefined();
  });
});
