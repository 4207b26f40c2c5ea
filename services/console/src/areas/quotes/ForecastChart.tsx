import { useEffect, useRef } from "react";
import * as echarts from "echarts/core";
import { BarChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([BarChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

/** Series is one figure of every group: its label and minor units per group. */
export interface Series {
  name: string;
  minor: number[];
}

/**
 * ForecastChart draws the forecast's figures per group as bars (only the
 * bar chart of ECharts is loaded, with this page). Bar heights are the
 * amounts in major units; the tooltip writes each exact amount with
 * format, from its minor units.
 */
export function ForecastChart({ groups, series, exponent, format, label }: { groups: string[]; series: Series[]; exponent: number; format: (minor: number) => string; label: string }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!el.current) return;
    const chart = echarts.init(el.current);
    const scale = 10 ** exponent;
    chart.setOption({
      tooltip: {
        trigger: "axis",
        valueFormatter: (v: number) => format(Math.round(v * scale)),
      },
      legend: { top: 0 },
      grid: { left: 8, right: 8, bottom: 8, top: 40, containLabel: true },
      xAxis: { type: "category", data: groups },
      yAxis: { type: "value" },
      series: series.map((s) => ({ type: "bar", name: s.name, data: s.minor.map((m) => m / scale) })),
    });
    const resize = () => chart.resize();
    window.addEventListener("resize", resize);
    return () => {
      window.removeEventListener("resize", resize);
      chart.dispose();
    };
  }, [groups, series, exponent, format]);
  return <div ref={el} role="img" aria-label={label} style={{ width: "100%", height: 320 }} data-testid="forecast-chart" />;
}
