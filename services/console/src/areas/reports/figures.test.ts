import { describe, expect, it } from "vitest";
import type { Report } from "./api";
import { figures } from "./figures";

const col = (name: string, type: Report["columns"][number]["type"]) => ({ name, label: name, labelZh: name, type });

const pipeline: Report = {
  report: "pipeline", from: "2026-01-01T00:00:00Z", to: "2026-04-01T00:00:00Z", interval: "month", groupBy: "owner", asOf: null,
  columns: [col("period", "period"), col("group", "string"), col("created", "integer"), col("won", "integer"), col("lost", "integer"), col("winRate", "percent")],
  rows: [
    { period: "2026-01-01", group: "u1", created: 2, won: 1, lost: 0, winRate: "1.0000" },
    { period: "2026-02-01", group: "u1", created: 1, won: 0, lost: 1, winRate: "0.0000" },
    { period: "2026-02-01", group: "u2", created: 3, won: 2, lost: 0, winRate: "1.0000" },
  ],
};

describe("figures", () => {
  it("bars sum each measure per group over the periods, with the cells behind them", () => {
    const f = figures(pipeline, "bar", (g) => g.toUpperCase());
    expect(f.categories).toEqual(["U1", "U2"]);
    expect(f.series.map((s) => [s.name, s.figures.map((x) => x.value)])).toEqual([["created", [3, 3]], ["won", [1, 2]], ["lost", [1, 0]]]);
    expect(f.series[0].figures[0].cells).toEqual([
      { group: "u1", measure: "created", period: "2026-01-01" },
      { group: "u1", measure: "created", period: "2026-02-01" },
    ]);
  });
  it("lines run along the periods with a series per group", () => {
    const f = figures(pipeline, "line", (g) => g);
    expect(f.categories).toEqual(["2026-01-01", "2026-02-01"]);
    expect(f.series.map((s) => [s.name, s.figures.map((x) => x.value)])).toEqual([["u1", [2, 1]], ["u2", [0, 3]]]);
  });
  it("a funnel's steps are the measures summed", () => {
    const f = figures({ ...pipeline, groupBy: "" }, "funnel", (g) => g);
    expect(f.series[0].figures.map((x) => [x.label, x.value])).toEqual([["created", 6], ["won", 3], ["lost", 1]]);
  });
  it("pipeline-stages' heatmap is stages by age, a cell narrowed to its stage", () => {
    const stages: Report = {
      report: "pipeline-stages", from: "", to: "", groupBy: "pipeline", asOf: null,
      columns: [col("group", "string"), col("stage", "string"), col("stageName", "string"), col("open", "integer"), col("age0to30", "integer"), col("age31to60", "integer")],
      rows: [{ group: "p", stage: "s1", stageName: "Qualify", open: 2, age0to30: 1, age31to60: 1 }],
    };
    const f = figures(stages, "heatmap", (g) => g);
    expect(f.categories).toEqual(["age0to30", "age31to60"]);
    expect(f.rows).toEqual(["Qualify"]);
    expect(f.series[0].figures[1].cells[0]).toEqual({ group: "p", measure: "age31to60", filter: '{"field":"stageId","op":"eq","value":"s1"}' });
  });
});
