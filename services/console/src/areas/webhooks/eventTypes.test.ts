import { describe, expect, it } from "vitest";
import { contextOf, groupTypes, matches } from "./eventTypes";

const types = [
  "dev.rapport.sales.opportunity.won.v1",
  "dev.rapport.sales.opportunity.created.v1",
  "dev.rapport.sales.lead.created.v1",
  "dev.rapport.contacts.contact.created.v1",
  "dev.rapport.webhooks.ping.v1",
];

describe("groupTypes", () => {
  it("groups the types by context with the context's wildcard, and an entity's where the context has several", () => {
    const groups = groupTypes(types);
    expect(groups.map((g) => g.context)).toEqual(["dev.rapport.contacts", "dev.rapport.sales", "dev.rapport.webhooks"]);
    expect(groups[0].patterns).toEqual(["dev.rapport.contacts.*"]);
    expect(groups[1].patterns).toEqual(["dev.rapport.sales.*", "dev.rapport.sales.lead.*", "dev.rapport.sales.opportunity.*"]);
    expect(groups[1].types).toEqual(["dev.rapport.sales.lead.created.v1", "dev.rapport.sales.opportunity.created.v1", "dev.rapport.sales.opportunity.won.v1"]);
    expect(groups[2].types).toEqual(["dev.rapport.webhooks.ping.v1"]);
  });
  it("lists a type given twice once", () => {
    expect(groupTypes([types[0], types[0]])[0].types).toEqual([types[0]]);
  });
});

describe("contextOf", () => {
  it("is the first three segments, or less for a short type", () => {
    expect(contextOf("dev.rapport.sales.lead.created.v1")).toBe("dev.rapport.sales");
    expect(contextOf("a.b.v1")).toBe("a.b");
  });
});

describe("matches", () => {
  it("takes a type by *, by a prefix wildcard of one or more segments, or exactly", () => {
    expect(matches("*", types[0])).toBe(true);
    expect(matches("dev.rapport.sales.*", types[0])).toBe(true);
    expect(matches("dev.rapport.sales.opportunity.*", types[2])).toBe(false);
    expect(matches("dev.rapport.sales.*", "dev.rapport.sales")).toBe(false);
    expect(matches("dev.rapport.sales.*", "dev.rapport.salesforce.x.v1")).toBe(false);
    expect(matches(types[2], types[2])).toBe(true);
  });
});
