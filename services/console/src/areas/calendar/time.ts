import dayjs, { type Dayjs } from "dayjs";
import type { components } from "../../api/schema";

/** Activity is a task, meeting, call, email or note (GET /v1/activities/{id}). */
export type Activity = components["schemas"]["Activity"];

/** View is what the calendar shows: a day (on a phone), a week or a month. */
export type View = "day" | "week" | "month";

/** ifMatch is the strong entity tag of version, as If-Match wants it. */
export function ifMatch(version: number): string {
  return `"${version}"`;
}

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
