import { BarChart, FunnelChart, HeatmapChart, LineChart, PieChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { useEffect, useRef } from "react";
import type { ChartType } from "./api";
import type { Figure, Figures } from "./figures";

echarts.use([BarChart, LineChart, PieChart, FunnelChart, HeatmapChart, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent, CanvasRenderer]);

/** Drawn is an ECharts option with, for each series' data point, the figure it draws. */
interface Drawn {
  option: echarts.EChartsCoreOption;
  figureAt: (seriesIndex: number, dataIndex: number) => Figure | undefined;
}

/** draw makes the ECharts option of figures as chart (funnel, bar, line, area, pie or heatmap). */
function draw(chart: ChartType, f: Figures): Drawn {
  const at = (s: number, d: number) => f.series[s]?.figures[d];
  const tooltip = { trigger: chart === "bar" || chart === "line" || chart === "area" ? "axis" : "item", confine: true };
  const legend = { top: 0, type: "scroll" };
  const grid = { left: 8, right: 16, bottom: 8, top: 36, containLabel: true };
  switch (chart) {
    case "funnel":
      return {
        option: { tooltip, series: [{ type: "funnel", sort: "none", left: "10%", width: "80%", label: { show: true, position: "inside", formatter: "{b}: {c}" }, data: f.series[0]?.figures.map((x) => ({ name: x.label, value: x.value })) ?? [] }] },
        figureAt: at,
      };
    case "pie":
      return {
        option: { tooltip, legend, series: [{ type: "pie", radius: ["35%", "65%"], top: 24, data: f.series[0]?.figures.map((x) => ({ name: x.label, value: x.value })) ?? [] }] },
        figureAt: at,
      };
    case "heatmap": {
      const ys = f.rows ?? f.series.map((s) => s.name);
      const points: { x: number; y: number; fig: Figure }[] = [];
      f.series.forEach((s, y) => s.figures.forEach((fig, x) => points.push({ x, y, fig })));
      const max = Math.max(1, ...points.map((p) => p.fig.value));
      return {
        option: {
          tooltip: { position: "top", confine: true },
          grid: { ...grid, top: 8, bottom: 56 },
          xAxis: { type: "category", data: f.categories, splitArea: { show: true } },
          yAxis: { type: "category", data: ys, splitArea: { show: true } },
          visualMap: { min: 0, max, calculable: true, orient: "horizontal", left: "center", bottom: 0 },
          series: [{ type: "heatmap", label: { show: true }, data: points.map((p) => [p.x, p.y, p.fig.value]) }],
        },
        figureAt: (_s, d) => points[d]?.fig,
      };
    }
    default: {
      const type = chart === "bar" ? "bar" : "line";
      return {
        option: {
          tooltip,
          legend,
          grid,
          xAxis: { type: "category", data: f.categories, boundaryGap: type === "bar" },
          yAxis: { type: "value" },
          series: f.series.map((s) => ({ type, name: s.name, areaStyle: chart === "area" ? {} : undefined, stack: chart === "area" ? "total" : undefined, data: s.figures.map((x) => x.value) })),
        },
        figureAt: at,
      };
    }
  }
}

/**
 * ReportChart draws a report's figures with ECharts; a click on a figure
 * (a bar, a point, a funnel step, a slice, a square) calls onFigure with it.
 * The drawn series' values are on the element (data-series, as ECharts
 * holds them) for the browser tests.
 */
export function ReportChart({ chart, figures, label, onFigure, testId }: { chart: ChartType; figures: Figures; label: string; onFigure: (f: Figure) => void; testId?: string }) {
  const el = useRef<HTMLDivElement>(null);
  const click = useRef(onFigure);
  click.current = onFigure;
  useEffect(() => {
    const node = el.current;
    if (!node) return;
    const instance = echarts.init(node);
    const { option, figureAt } = draw(chart, figures);
    instance.setOption(option);
    instance.on("click", (p) => {
      const f = figureAt(p.seriesIndex ?? 0, p.dataIndex);
      if (f && f.cells.length > 0) click.current(f);
    });
    const drawn = instance.getOption() as { series?: { name?: string; data?: unknown[] }[] };
    node.dataset.series = JSON.stringify((drawn.series ?? []).map((s) => ({ name: s.name ?? "", data: s.data ?? [] })));
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(node);
    return () => {
      observer.disconnect();
      instance.dispose();
    };
  }, [chart, figures]);
  return <div ref={el} role="img" aria-label={label} style={{ width: "100%", height: "100%", minHeight: 240 }} data-testid={testId ?? "report-chart"} data-chart={chart} />;
}
