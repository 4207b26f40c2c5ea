import { describe, expect, it } from "vitest";
import type { Board, Opportunity } from "./api";
import { findCard, moveCard } from "./board";

function opp(id: string, stageId: string, minor?: number, currency = "CNY"): Opportunity {
  return {
    id, name: id, stageId, pipelineId: "p", status: "open", probability: 10, forecastCategory: "pipeline", ownerId: "u",
    contactRoles: [], competitors: [], lineItems: [], tags: [], customFields: {}, createdAt: "", updatedAt: "", version: 1,
    amount: minor === undefined ? undefined : { minor, currency, exponent: 2 },
  };
}

function stage(id: string) {
  return { id, name: id, kind: "open" as const, probability: 10, requiredFields: [] };
}

const board: Board = {
  pipelineId: "p",
  columns: [
    { stage: stage("a"), count: 2, totals: [{ currency: "CNY", minor: 300, exponent: 2 }], opportunities: [opp("1", "a", 100), opp("2", "a", 200)] },
    { stage: stage("b"), count: 0, totals: [], opportunities: [] },
  ],
};

describe("moveCard", () => {
  it("moves the card and its amount between the columns", () => {
    const after = moveCard(board, "1", "b");
    expect(after.columns[0].opportunities.map((o) => o.id)).toEqual(["2"]);
    expect(after.columns[0].count).toBe(1);
    expect(after.columns[0].totals).toEqual([{ currency: "CNY", minor: 200, exponent: 2 }]);
    expect(after.columns[1].opportunities.map((o) => o.id)).toEqual(["1"]);
    expect(after.columns[1].count).toBe(1);
    expect(after.columns[1].totals).toEqual([{ currency: "CNY", minor: 100, exponent: 2 }]);
    expect(board.columns[0].count).toBe(2);
  });
  it("counts the amount the move gave the opportunity", () => {
    const after = moveCard(board, "2", "b", opp("2", "b", 999, "USD"));
    expect(after.columns[1].totals).toEqual([{ currency: "USD", minor: 999, exponent: 2 }]);
    expect(findCard(after, "2")?.column).toBe(1);
  });
  it("drops a currency whose total falls to nothing", () => {
    const one: Board = { ...board, columns: [{ ...board.columns[0], count: 1, totals: [{ currency: "CNY", minor: 100, exponent: 2 }], opportunities: [opp("1", "a", 100)] }, board.columns[1]] };
    expect(moveCard(one, "1", "b").columns[0].totals).toEqual([]);
  });
  it("leaves the board as it is for an unknown card or stage, or the same stage", () => {
    expect(moveCard(board, "9", "b")).toBe(board);
    expect(moveCard(board, "1", "z")).toBe(board);
    expect(moveCard(board, "1", "a")).toBe(board);
  });
});
