import dayjs, { type Dayjs } from "dayjs";
import { useEffect, useMemo, useRef, useState } from "react";
import { useI18n } from "../../i18n/I18n";
import { startOf, type Activity } from "./activities";
import { ActivityChip, dropped } from "./ActivityChip";
import { layDay, type Placed } from "./time";

const hours = Array.from({ length: 24 }, (_, h) => h);

/** rowPx is the height of an hour's row (calendar.css's .cal-slot). */
const rowPx = 48;

/** span is where a placed activity shows in the slot of its start's hour: down to its end, in its lane. */
function span(p: Placed) {
  const minutes = p.end.diff(p.start, "minute");
  return {
    top: (p.start.minute() / 60) * rowPx,
    height: Math.max((minutes / 60) * rowPx, 20),
    left: `calc(${(p.lane * 100) / p.lanes}% + 1px)`,
    width: `calc(${100 / p.lanes}% - 2px)`,
  };
}

/**
 * WeekGrid is a week as a CSS grid: a column per day, a row per hour. An
 * activity shows from its start down to its end (layDay), overlapping ones
 * side by side; clicking an empty slot plans one there, and dropping an activity on a slot moves it to that day and hour
 * (its minutes kept).
 */
export function WeekGrid({ start, items, onCreate, onMove, onOpen }: { start: Dayjs; items: Activity[]; onCreate: (at: Dayjs) => void; onMove: (a: Activity, to: Dayjs) => void; onOpen: (a: Activity) => void }) {
  const { t, locale } = useI18n();
  const days = useMemo(() => Array.from({ length: 7 }, (_, i) => start.add(i, "day")), [start]);
  const [over, setOver] = useState("");
  const scroller = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (scroller.current) scroller.current.scrollTop = 8 * rowPx; // the working day in view
  }, []);
  const slots = useMemo(() => {
    const m = new Map<string, Placed[]>();
    for (const d of days) {
      for (const p of layDay(items, d)) {
        const k = p.start.format("YYYY-MM-DD-H");
        m.set(k, [...(m.get(k) ?? []), p]);
      }
    }
    return m;
  }, [items, days]);
  const dayName = new Intl.DateTimeFormat(locale, { weekday: "short", month: "numeric", day: "numeric" });
  const today = dayjs().format("YYYY-MM-DD");

  return (
    <div className="cal-week" role="region" aria-label={t("calendar.week")} data-testid="cal-week">
      <div className="cal-week-head">
        <div aria-hidden />
        {days.map((d) => (
          <div key={d.format("YYYY-MM-DD")} className={d.format("YYYY-MM-DD") === today ? "cal-today" : undefined}>
            {dayName.format(d.toDate())}
          </div>
        ))}
      </div>
      <div className="cal-week-body" ref={scroller}>
        {hours.map((h) => (
          <div className="cal-week-row" key={h}>
            <div className="cal-hour">
              {String(h).padStart(2, "0")}:00
            </div>
            {days.map((d) => {
              const at = d.hour(h);
              const key = `${d.format("YYYY-MM-DD")}-${h}`;
              return (
                <div
                  key={key}
                  className={`cal-slot${over === key ? " cal-over" : ""}`}
                  data-testid="cal-slot"
                  data-slot={at.format("YYYY-MM-DDTHH:00")}
                  onClick={() => onCreate(at)}
                  onDragOver={(e) => {
                    e.preventDefault();
                    setOver(key);
                  }}
                  onDragLeave={() => setOver((o) => (o === key ? "" : o))}
                  onDrop={(e) => {
                    e.preventDefault();
                    setOver("");
                    const a = items.find((x) => x.id === dropped(e));
                    if (a) onMove(a, at.minute(dayjs(startOf(a)).minute()));
                  }}
                >
                  {(slots.get(key) ?? []).map((p) => (
                    <ActivityChip key={p.a.id} a={p.a} onOpen={onOpen} style={span(p)} />
                  ))}
                </div>
              );
            })}
          </div>
        ))}
      </div>
    </div>
  );
}
