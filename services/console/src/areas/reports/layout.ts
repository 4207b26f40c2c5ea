import type { ChartType, Params, WidgetInput } from "./api";

/** DraftWidget is a widget being edited: its place is made from its order and width when saved. */
export interface DraftWidget {
  id?: string;
  title: string;
  report: string;
  params: Params;
  chart: ChartType;
  w: number;
  h: number;
}

/**
 * place lays drafts out on the 12-column grid in their order: each goes
 * right of the one before while it fits, else starts a new row below the
 * tallest of the row.
 */
export function place(drafts: DraftWidget[]): WidgetInput[] {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  return drafts.map((d) => {
    const w = Math.min(12, Math.max(1, d.w));
    if (x + w > 12) {
      y += rowHeight;
      x = 0;
      rowHeight = 0;
    }
    const out: WidgetInput = { report: d.report, params: d.params, chart: d.chart, layout: { x, y, w, h: d.h }, ...(d.title ? { title: d.title } : {}), ...(d.id ? { id: d.id } : {}) };
    x += w;
    rowHeight = Math.max(rowHeight, d.h);
    return out;
  });
}

/** move returns list with the item at i moved by delta places (kept within the list). */
export function move<T>(list: T[], i: number, delta: number): T[] {
  const j = i + delta;
  if (j < 0 || j >= list.length) return list;
  const next = [...list];
  [next[i], next[j]] = [next[j], next[i]];
  return next;
}
