import { Calendar, ConfigProvider } from "antd";
import dayjs, { type Dayjs } from "dayjs";
import { useMemo } from "react";
import { startOf, type Activity } from "./activities";
import { ActivityChip, dropped } from "./ActivityChip";

/**
 * MonthView is Ant Design's month calendar with each day's meetings and
 * tasks; clicking a day plans an activity at 09:00 on it, dropping an
 * activity on a day moves it there (its time of day kept).
 */
export function MonthView({ month, items, onCreate, onMove, onOpen }: { month: Dayjs; items: Activity[]; onCreate: (at: Dayjs) => void; onMove: (a: Activity, to: Dayjs) => void; onOpen: (a: Activity) => void }) {
  const byDay = useMemo(() => {
    const m = new Map<string, Activity[]>();
    for (const a of items) {
      const k = dayjs(startOf(a)).format("YYYY-MM-DD");
      m.set(k, [...(m.get(k) ?? []), a]);
    }
    return m;
  }, [items]);

  return (
    <div data-testid="cal-month">
      {/* the days of the months around are greyed, yet readable at 4.5:1 */}
      <ConfigProvider theme={{ token: { colorTextDisabled: "#737373" } }}>
        <Calendar
          value={month}
          headerRender={() => null}
          onSelect={(d, info) => {
            if (info.source === "date") onCreate(d.hour(9).minute(0).second(0).millisecond(0));
          }}
          cellRender={(d, info) => {
            if (info.type !== "date") return info.originNode;
            const key = d.format("YYYY-MM-DD");
            return (
              <div
                className="cal-month-cell"
                data-testid="cal-day"
                data-day={key}
                onDragOver={(e) => e.preventDefault()}
                onDrop={(e) => {
                  e.preventDefault();
                  const a = items.find((x) => x.id === dropped(e));
                  if (!a) return;
                  const from = dayjs(startOf(a));
                  onMove(a, d.hour(from.hour()).minute(from.minute()).second(0).millisecond(0));
                }}
              >
                {(byDay.get(key) ?? []).map((a) => (
                  <ActivityChip key={a.id} a={a} onOpen={onOpen} />
                ))}
              </div>
            );
          }}
        />
      </ConfigProvider>
    </div>
  );
}
