import dayjs, { type Dayjs } from "dayjs";
import type { components } from "../../api/schema";

/** Activity is a task, meeting, call, email or note (GET /v1/activities/{id}). */
export type Activity = components["schemas"]["Activity"];

/** View is what the calendar shows: a day (on a phone), a week or a month. */
export type View = "day" | "week" | "month";

export { versionTag as ifMatch } from "../../api/headers";

/** startOf is when an activity shows in a calendar: a meeting's start, a task's due time, a call's start, else when it happened. */
export function startOf(a: Activity): string {
  return a.meeting?.startAt ?? a.task?.dueAt ?? a.call?.startedAt ?? a.occurredAt ?? a.createdAt;
}

/** isOpenTask says whether a is a task still to do. */
export function isOpenTask(a: Activity): boolean {
  return a.type === "task" && a.task?.status !== "completed";
}

/** byStart sorts activities by when they show. */
export function byStart(a: Activity, b: Activity): number {
  return dayjs(startOf(a)).valueOf() - dayjs(startOf(b)).valueOf();
}

/** rescheduled is the merge patch that moves a meeting (keeping its length) or a task's due time to start. */
export function rescheduled(a: Activity, start: Dayjs): Record<string, unknown> {
  if (a.meeting) {
    const length = dayjs(a.meeting.endAt).diff(dayjs(a.meeting.startAt));
    return { meeting: { startAt: start.toISOString(), endAt: start.add(length, "millisecond").toISOString() } };
  }
  return { task: { dueAt: start.toISOString() } };
}

/** weekStart is the Monday of d's week. */
export function weekStart(d: Dayjs): Dayjs {
  return d.startOf("day").subtract((d.day() + 6) % 7, "day");
}

/** range is the span a view reads: a day, a week from Monday, or the six weeks a month's grid shows (from Sunday or Monday). */
export function range(view: View, at: Dayjs): [Dayjs, Dayjs] {
  if (view === "day") return [at.startOf("day"), at.startOf("day").add(1, "day")];
  if (view === "week") {
    const s = weekStart(at);
    return [s, s.add(7, "day")];
  }
  const s = weekStart(at.startOf("month")).subtract(1, "day"); // a grid may start on Sunday
  return [s, s.add(43, "day")];
}

/** Placed is an activity laid out in a day of the week grid: its span that day and its lane among those it overlaps. */
export interface Placed {
  a: Activity;
  start: Dayjs;
  end: Dayjs;
  lane: number;
  lanes: number;
}

/** taskMinutes is how long a task (a due time, no length) shows in the week grid. */
const taskMinutes = 30;

/**
 * layDay places the activities starting on day from their start to their
 * end (a task for taskMinutes; a meeting running past midnight up to the
 * day's end), those overlapping side by side: each gets the first lane free
 * at its start, and every one of a run of overlapping activities shares
 * that run's number of lanes.
 */
export function layDay(items: Activity[], day: Dayjs): Placed[] {
  const from = day.startOf("day");
  const until = from.add(1, "day");
  const spans = items
    .map((a) => {
      const start = dayjs(startOf(a));
      const end = a.meeting ? dayjs(a.meeting.endAt) : start.add(taskMinutes, "minute");
      return { a, start, end: end.isAfter(until) ? until : end.isAfter(start) ? end : start.add(taskMinutes, "minute"), lane: 0, lanes: 1 };
    })
    .filter((p) => !p.start.isBefore(from) && p.start.isBefore(until))
    .sort((x, y) => x.start.valueOf() - y.start.valueOf() || y.end.valueOf() - x.end.valueOf());
  let run: Placed[] = [];
  let laneEnds: number[] = [];
  let runEnd = -Infinity;
  const close = () => run.forEach((p) => (p.lanes = laneEnds.length));
  for (const p of spans) {
    if (p.start.valueOf() >= runEnd) {
      close();
      run = [];
      laneEnds = [];
    }
    const free = laneEnds.findIndex((e) => e <= p.start.valueOf());
    p.lane = free < 0 ? laneEnds.length : free;
    laneEnds[p.lane] = p.end.valueOf();
    run.push(p);
    runEnd = Math.max(runEnd, p.end.valueOf());
  }
  close();
  return spans;
}
