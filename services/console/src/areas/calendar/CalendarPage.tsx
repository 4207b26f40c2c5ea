import { LeftOutlined, PlusOutlined, RightOutlined } from "@ant-design/icons";
import { Button, DatePicker, Segmented, Space, Spin, Typography } from "antd";
import dayjs, { type Dayjs } from "dayjs";
import { useMemo, useRef, useState } from "react";
import { useSession } from "../../auth/session";
import { ErrorState } from "../../components/ErrorState";
import { useI18n } from "../../i18n/I18n";
import { useIsPhone } from "../../lib/useIsPhone";
import { useActivityWrites, useCalendar, type Activity, type Who } from "./activities";
import { range, type View } from "./time";
import { ActivityDetails } from "./ActivityChip";
import { ActivityForm, nextHour } from "./ActivityForm";
import { DayList } from "./DayList";
import { MonthView } from "./MonthView";
import { MoveDialog } from "./MoveDialog";
import { WeekGrid } from "./WeekGrid";
import { WhoSelect } from "./WhoSelect";
import "./calendar.css";

/**
 * CalendarPage shows the meetings and tasks of the user, another user or a
 * team by week (a grid of hours) or by month; on a phone, a day's list.
 * Clicking a slot plans a task or meeting there, dragging one moves it, as
 * does the "Move…" action (of one opened, or on a phone's list) without a
 * mouse, and a task opened can be completed.
 */
export default function CalendarPage() {
  const { t, locale } = useI18n();
  const { me } = useSession();
  const phone = useIsPhone();
  const [chosen, setView] = useState<"week" | "month">("week");
  const view: View = phone ? "day" : chosen;
  const [at, setAt] = useState(() => dayjs().startOf("day"));
  const [who, setWho] = useState<Who>({ assignee: me?.user.id ?? "me" });
  const [from, to] = useMemo(() => range(view, at), [view, at]);
  const cal = useCalendar(who, from, to);
  const { reschedule } = useActivityWrites();
  const [creating, setCreating] = useState<Dayjs | null>(null);
  const [open, setOpen] = useState<Activity | null>(null);
  const [moving, setMoving] = useState<Activity | null>(null);
  const afterDetails = useRef<Activity | null>(null);
  // The move dialog opens once the details' dialog has left and given the focus back, not to have it taken from the picker.
  const moveOpened = (a: Activity) => {
    afterDetails.current = a;
    setOpen(null);
  };
  const detailsLeft = () => {
    if (afterDetails.current) setMoving(afterDetails.current);
    afterDetails.current = null;
  };

  const step = view === "month" ? "month" : view === "week" ? "week" : "day";
  const title =
    view === "month"
      ? new Intl.DateTimeFormat(locale, { year: "numeric", month: "long" }).format(at.toDate())
      : view === "week"
        ? `${new Intl.DateTimeFormat(locale, { month: "short", day: "numeric" }).format(from.toDate())} – ${new Intl.DateTimeFormat(locale, { month: "short", day: "numeric", year: "numeric" }).format(to.subtract(1, "day").toDate())}`
        : new Intl.DateTimeFormat(locale, { weekday: "long", month: "long", day: "numeric" }).format(at.toDate());
  const assignee = "assignee" in who ? who.assignee : undefined;
  const move = (a: Activity, start: Dayjs) => reschedule.mutate({ a, start });
  const items = cal.data ?? [];

  return (
    <div data-testid="page-calendar">
      <Typography.Title level={1} style={{ fontSize: 24 }}>
        {t("calendar.title")}
      </Typography.Title>
      <Space wrap style={{ marginBottom: 12 }}>
        <Button icon={<LeftOutlined />} aria-label={t(`calendar.prev.${step}`)} onClick={() => setAt((d) => d.subtract(1, step))} data-testid="cal-prev" />
        <Button onClick={() => setAt(dayjs().startOf("day"))}>{t("calendar.today")}</Button>
        <Button icon={<RightOutlined />} aria-label={t(`calendar.next.${step}`)} onClick={() => setAt((d) => d.add(1, step))} data-testid="cal-next" />
        <label className="sr-only" htmlFor="cal-goto">
          {t("calendar.goTo")}
        </label>
        <DatePicker id="cal-goto" allowClear={false} value={at} onChange={(d) => d && setAt(d.startOf("day"))} style={{ width: 140 }} />
        {!phone && (
          <Segmented<"week" | "month">
            aria-label={t("calendar.view")}
            value={chosen}
            onChange={setView}
            options={[
              { value: "week", label: <span data-testid="cal-view-week">{t("calendar.week")}</span> },
              { value: "month", label: <span data-testid="cal-view-month">{t("calendar.month")}</span> },
            ]}
          />
        )}
        <WhoSelect value={who} onChange={setWho} />
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(view === "day" ? at.hour(nextHour().hour()) : nextHour())} data-testid="cal-new">
          {t("calendar.new")}
        </Button>
      </Space>
      <Typography.Title level={2} style={{ fontSize: 18 }} data-testid="cal-range">
        {title} {(cal.isFetching || reschedule.isPending) && <Spin size="small" />}
      </Typography.Title>
      {cal.isError ? (
        <ErrorState error={cal.error} onRetry={() => cal.refetch()} />
      ) : view === "day" ? (
        <DayList items={items} onOpen={setOpen} onMove={setMoving} />
      ) : view === "week" ? (
        <WeekGrid start={from} items={items} onCreate={setCreating} onMove={move} onOpen={setOpen} />
      ) : (
        <MonthView month={at} items={items} onCreate={setCreating} onMove={move} onOpen={setOpen} />
      )}
      <ActivityForm at={creating} assignee={assignee} onClose={() => setCreating(null)} />
      <ActivityDetails a={open} onClose={() => setOpen(null)} onMove={moveOpened} afterClose={detailsLeft} />
      <MoveDialog a={moving} onClose={() => setMoving(null)} />
    </div>
  );
}
