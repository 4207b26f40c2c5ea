import { BarChart } from "echarts/charts";
import { GridComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { useEffect, useRef } from "react";

echarts.use([BarChart, GridComponent, TooltipComponent, CanvasRenderer]);

/** StageBar is one bar: a stage's name and how many opportunities are in it. */
export interface StageBar {
  label: string;
  count: number;
}

/**
 * StageChart draws opportunities per stage as a bar chart with ECharts'
 * core and its bar chart only (loaded lazily, so the home page's own chunk
 * stays small). summary is the chart's text for screen readers.
 */
export default function StageChart({ bars, summary }: { bars: StageBar[]; summary: string }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!el.current) return;
    const chart = echarts.init(el.current);
    chart.setOption({
      grid: { left: 8, right: 8, top: 16, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: bars.map((b) => b.label), axisLabel: { interval: 0, rotate: bars.length > 4 ? 30 : 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", data: bars.map((b) => b.count), itemStyle: { color: "#1d4ed8" }, barMaxWidth: 40 }],
    });
    const resize = () => chart.resize();
    window.addEventListener("resize", resize);
    return () => {
      window.removeEventListener("resize", resize);
      chart.dispose();
    };
  }, [bars]);
  return <div ref={el} role="img" aria-label={summary} style={{ width: "100%", height: 240 }} data-testid="home-stage-chart" />;
}
