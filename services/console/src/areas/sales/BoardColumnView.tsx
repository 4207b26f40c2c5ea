import { Button } from "antd";
import { useInfiniteQuery } from "@tanstack/react-query";
import { memo, useEffect, useMemo, useRef, useState, type DragEvent, type MouseEvent } from "react";
import { useNavigate } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import { useI18n } from "../../i18n/I18n";
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
  /** onMoveAsk asks where to move a card (its move button: keyboards and phones). */
  onMoveAsk: (o: Opportunity) => void;
}

/** firstCards is how many cards a column renders at first; scrolling near its end renders moreCards more. */
const firstCards = 30;
const moreCards = 100;

/**
 * useReveal renders a long column a part at a time: n cards, and n grows
 * when the sentinel after the last one comes within a screen of the
 * column's scrolled view, so a board of a thousand cards renders only what
 * can be seen.
 */
function useReveal(total: number) {
  const [n, setN] = useState(firstCards);
  const sentinel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = sentinel.current;
    if (!el || n >= total) return;
    const io = new IntersectionObserver((es) => es.some((e) => e.isIntersecting) && setN((x) => x + moreCards), { root: el.parentElement, rootMargin: "100% 0px" });
    io.observe(el);
    return () => io.disconnect();
  }, [n, total]);
  return { n, sentinel };
}

/** CardTexts are what every card writes the same way, made once per column. */
interface CardTexts {
  noAmount: string;
  move: (name: string) => string;
  money: (minor: number, currency: string) => string;
  date: (iso: string) => string;
}

/**
 * Card is one opportunity on the board: plain elements and no hooks, so a
 * thousand of them render at once. Its link and its move button are
 * handled by the board (one listener for all cards).
 */
const Card = memo(function Card({ o, texts }: { o: Opportunity; texts: CardTexts }) {
  return (
    <div className="board-card" draggable data-testid="board-card" data-id={o.id}>
      <a href={`/opportunities/${o.id}`} className="board-card-name" data-open={o.id}>
        {o.name}
      </a>
      <div className="board-card-meta">
        <span data-testid="board-card-amount">{o.amount ? texts.money(o.amount.minor, o.amount.currency) : texts.noAmount}</span>
        {o.closeDate ? <span>{texts.date(o.closeDate)}</span> : null}
      </div>
      <button type="button" className="board-card-move" aria-label={texts.move(o.name)} data-testid="board-card-move" data-move={o.id}>
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
  const navigate = useNavigate();
  const stage = column.stage;
  const texts = useMemo<CardTexts>(() => {
    const dates = new Intl.DateTimeFormat(locale, { year: "numeric", month: "short", day: "numeric" });
    return {
      noAmount: t("sales.board.noAmount"),
      move: (name) => t("sales.board.moveCard", { name }),
      money: (minor, currency) => formatMinor(minor, currency, locale),
      date: (iso) => dates.format(new Date(iso)),
    };
  }, [t, locale]);
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
  const reveal = useReveal(cards.length);
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
      onClick={(e: MouseEvent) => {
        const el = e.target as HTMLElement;
        const open = el.closest<HTMLElement>("[data-open]")?.dataset.open;
        const move = el.closest<HTMLElement>("[data-move]")?.dataset.move;
        if (open && !e.ctrlKey && !e.metaKey && !e.shiftKey && e.button === 0) {
          e.preventDefault();
          navigate(`/opportunities/${open}`);
        } else if (move) {
          const o = cards.find((x) => x.id === move);
          if (o) onMoveAsk(o);
        }
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
        {cards.slice(0, reveal.n).map((o) => (
          <Card key={o.id} o={o} texts={texts} />
        ))}
        {reveal.n < cards.length ? <div ref={reveal.sentinel} className="board-sentinel" /> : null}
        {hasMore && reveal.n >= cards.length ? (
          <Button block onClick={() => (more.data ? more.fetchNextPage() : more.refetch())} loading={more.isFetching} data-testid="board-more">
            {t("sales.board.more", { n: column.count - cards.length })}
          </Button>
        ) : null}
      </div>
    </section>
  );
}
