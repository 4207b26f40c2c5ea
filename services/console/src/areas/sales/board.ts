import type { Amount, Board, BoardColumn, Opportunity } from "./api";

type Totals = BoardColumn["totals"];

/** addTotal adds (sign 1) or takes away (sign -1) an amount from a column's totals per currency. */
function addTotal(totals: Totals, amount: Amount | undefined, sign: 1 | -1): Totals {
  if (!amount) return totals;
  const found = totals.some((t) => t.currency === amount.currency);
  const out = totals
    .map((t) => (t.currency === amount.currency ? { ...t, minor: t.minor + sign * amount.minor } : t))
    .filter((t) => t.minor !== 0 || t.currency !== amount.currency || sign > 0);
  if (!found && sign > 0) out.push({ currency: amount.currency, minor: amount.minor, exponent: amount.exponent ?? 2 });
  return out;
}

/** findCard finds an opportunity on the board and the index of its column. */
export function findCard(board: Board, id: string): { column: number; opportunity: Opportunity } | null {
  for (let c = 0; c < board.columns.length; c++) {
    const o = board.columns[c].opportunities.find((x) => x.id === id);
    if (o) return { column: c, opportunity: o };
  }
  return null;
}

/**
 * moveCard is the board after the opportunity id moved to the stage
 * toStageId as moved (the opportunity as it will be there): it leaves its
 * column, heads the new one, and both columns' counts and totals follow.
 * The board is returned unchanged when either is not on it.
 */
export function moveCard(board: Board, id: string, toStageId: string, moved?: Opportunity): Board {
  const from = findCard(board, id);
  const to = board.columns.findIndex((c) => c.stage.id === toStageId);
  if (!from || to < 0 || from.column === to) return board;
  const next = moved ?? { ...from.opportunity, stageId: toStageId };
  return {
    ...board,
    columns: board.columns.map((col, i) => {
      if (i === from.column) {
        return { ...col, count: col.count - 1, totals: addTotal(col.totals, from.opportunity.amount, -1), opportunities: col.opportunities.filter((o) => o.id !== id) };
      }
      if (i === to) {
        return { ...col, count: col.count + 1, totals: addTotal(col.totals, next.amount, 1), opportunities: [next, ...col.opportunities] };
      }
      return col;
    }),
  };
}
