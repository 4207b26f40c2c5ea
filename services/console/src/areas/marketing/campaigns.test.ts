import { describe, expect, it } from "vitest";
import { campaignInput, campaignPatch, money, type CampaignValues } from "./campaigns";

const base: CampaignValues = { name: " Spring launch ", type: "email", status: "planned" };

describe("money", () => {
  it("keeps the amount as typed and upper-cases the currency", () => {
    expect(money({ amount: "12500.50", currency: "cny" })).toEqual({ amount: "12500.50", currency: "CNY" });
  });
  it("is nothing without an amount", () => {
    expect(money({ currency: "EUR" })).toBeUndefined();
    expect(money({ amount: "  ", currency: "EUR" })).toBeUndefined();
    expect(money(undefined)).toBeUndefined();
  });
});

describe("campaignInput", () => {
  it("leaves the empty fields out", () => {
    expect(campaignInput({ ...base, parentId: "", budget: { currency: "EUR" }, startsOn: "" })).toEqual({ name: "Spring launch", type: "email", status: "planned" });
  });
  it("sends the programme, dates, budget and cost", () => {
    expect(
      campaignInput({ ...base, parentId: "p1", budget: { amount: "1000", currency: "EUR" }, actualCost: { amount: "250.5", currency: "EUR" }, startsOn: "2026-03-01", endsOn: "2026-03-31" }),
    ).toEqual({
      name: "Spring launch",
      type: "email",
      status: "planned",
      parentId: "p1",
      budget: { amount: "1000", currency: "EUR" },
      actualCost: { amount: "250.5", currency: "EUR" },
      startsOn: "2026-03-01",
      endsOn: "2026-03-31",
    });
  });
});

describe("campaignPatch", () => {
  it("removes what was emptied with null", () => {
    expect(campaignPatch({ ...base, budget: { amount: "", currency: "EUR" } })).toMatchObject({ parentId: null, budget: null, actualCost: null, startsOn: null, endsOn: null });
  });
});
