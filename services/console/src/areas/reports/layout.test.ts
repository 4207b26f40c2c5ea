import { describe, expect, it } from "vitest";
import { move, place, type DraftWidget } from "./layout";

const d = (w: number, h = 4): DraftWidget => ({ title: "", report: "funnel", params: {}, chart: "bar", w, h });

describe("layout", () => {
  it("places widgets left to right, wrapping below the row's tallest", () => {
    expect(place([d(6), d(6, 5), d(12), d(4)]).map((x) => x.layout)).toEqual([
      { x: 0, y: 0, w: 6, h: 4 }, { x: 6, y: 0, w: 6, h: 5 }, { x: 0, y: 5, w: 12, h: 4 }, { x: 0, y: 9, w: 4, h: 4 },
    ]);
  });
  it("moves within bounds", () => {
    expect(move([1, 2, 3], 0, 1)).toEqual([2, 1, 3]);
    expect(move([1, 2, 3], 0, -1)).toEqual([1, 2, 3]);
  });
});
