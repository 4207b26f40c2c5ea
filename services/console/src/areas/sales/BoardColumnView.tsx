import { Button } from "antd";
import { useInfiniteQuery } from "@tanstack/react-query";
import { memo, useMemo, type DragEvent } from "react";
import { Link } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import { useI18n } from "../../i18n/I18n";
import { formatDate } from "../../lib/dates";
import { formatMinor } from "../../lib/money";
import type { BoardColumn, Opportunity, Stage } from "./api";

/** BoardColumnProps are a column of the board and what its cards do. */
interface BoardColumnProps {
  column: BoardColumn;
  pipelineId: string;
  phone: boolean;
  over: boolean;
  onDragOver: (stageId: string) => void;
  onDrop: (opportunityId: string, stage: Stage) => void;
  onMoveAsk: (o: Opportunity) => void;
}

/**
 * Card is one opportunity on the board: plain elements, no component per
 * card beyond a link and a button, so a thousand of them render at once.
 */
const Card = memo(function Card({ o, onMoveAsk }: { o: Opportunity; onMoveAsk: (o: Opportunity) => void }) {
  const { t, locale } = useI18n();
  return (
    <div className="board-card" draggable data-testid="board-card" data-id={o.id}>
      <Link to={`/opportunities/${o.id}`} className="board-card-name">
        {o.name}
      </Link>
      <div className="board-card-meta">
        <span data-testid="board-card-amount">{o.amount ? formatMinor(o.amount.minor, o.amount.currency, locale) : t("sales.board.noAmount")}</span>
        {o.closeDate ? <span>{formatDate(o.closeDate, locale)}</span> : null}
      </div>
      <button type="button" className="board-card-move" aria-label={t("sales.board.moveCard", { name: o.name })} data-testid="board-card-move" onClick={() => onMoveAsk(o)}>
        ⇄
      </button>
    </div>
  );
});

/**
 * BoardColumnView is one stage's column: its name, count and totals per
 * currency, and its cards, which can be dragged to another column. A stage
 * with more opportunities than the board brought loads the rest a page at
 * a time.
 */
export function BoardColumnView({ column, pipelineId, phone, over, onDragOver, onDrop, onMoveAsk }: BoardColumnProps) {
  const { t, locale } = useI18n();
  const stage = column.stage;
  const more = useInfiniteQuery({
    queryKey: ["board-more", pipelineId, stage.id],
    enabled: false,
    initialPageParam: "",
    queryFn: ({ pageParam }) => unwrap(api.GET("/v1/opportunities", { params: { query: { pipelineId, stageId: stage.id, limit: 200, cursor: pageParam || undefined } } })),
    getNextPageParam: (last) => last.nextCursor,
  });
  const cards = useMemo(() => {
    const extra = more.data?.pages.flatMap((p) => p.items) ?? [];
    if (extra.length === 0) return column.opportunities;
    const seen = new Set(column.opportunities.map((o) => o.id));
    return [...column.opportunities, ...extra.filter((o) => !seen.has(o.id) && o.stageId === stage.id)];
  }, [column.opportunities, more.data, stage.id]);
  const hasMore = more.data ? more.hasNextPage : column.count > column.opportunities.length;
  const headingId = `board-stage-${stage.id}`;
  return (
    <section
      className={`board-column${over ? " board-column-over" : ""}`}
      style={phone ? { width: "calc(100vw - 48px)" } : undefined}
      data-testid="board-column"
      data-stage={stage.name}
      aria-labelledby={headingId}
      onDragStart={(e: DragEvent) => {
        const id = (e.target as HTMLElement).closest<HTMLElement>("[data-id]")?.dataset.id;
        if (id) e.dataTransfer.setData("text/plain", id);
      }}
      onDragOver={(e) => {
        e.preventDefault();
        onDragOver(stage.id);
      }}
      onDrop={(e) => {
        e.preventDefault();
        const id = e.dataTransfer.getData("text/plain");
        if (id) onDrop(id, stage);
      }}
    >
      <header className="board-column-head">
        <h2 id={headingId}>{stage.name}</h2>
        <span className="board-column-count" data-testid="board-count">
          {column.count}
        </span>
        <div className="board-column-totals" data-testid="board-total">
          {column.totals.length === 0 ? "0" : column.totals.map((x) => <div key={x.currency}>{formatMinor(String(x.minor), x.currency, locale)}</div>)}
        </div>
      </header>
      <div className="board-column-cards">
        {cards.map((o) => (
          <Card key={o.id} o={o} onMoveAsk={onMoveAsk} />
        ))}
        {hasMore ? (
          <Button block onClick={() => (more.data ? more.fetchNextPage() : more.refetch())} loading={more.isFetching} data-testid="board-more">
            {t("sales.board.more", { n: column.count - cards.length })}
          </Button>
        ) : null}
      </div>
    </section>
  );
}
