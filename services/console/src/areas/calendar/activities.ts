import { App } from "antd";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import dayjs, { type Dayjs } from "dayjs";
import { api, unwrap } from "../../api/client";
import type { components } from "../../api/schema";
import { resolveConflict } from "../../components/conflict";
import { useT } from "../../i18n/I18n";

/** Activity is a task, meeting, call, email or note (GET /v1/activities/{id}). */
export type Activity = components["schemas"]["Activity"];

/** Who is whose calendar is shown: the signed-in user's, another user's or a team's. */
export type Who = { assignee: string } | { team: string };

/** pageLimit is the page size of the calendar's reads; maxPages bounds one range's. */
const pageLimit = 200;
const maxPages = 5;

/** mergePatch is the Content-Type of a PATCH of an activity. */
const mergePatch = { "Content-Type": "application/merge-patch+json" };

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
  return startOf(a).localeCompare(startOf(b));
}

/**
 * useCalendar reads the meetings and tasks of who overlapping [from, to),
 * every page of them up to maxPages × pageLimit.
 */
export function useCalendar(who: Who, from: Dayjs, to: Dayjs) {
  return useQuery({
    queryKey: ["activities", "calendar", who, from.toISOString(), to.toISOString()],
    queryFn: async () => {
      const items: Activity[] = [];
      let cursor: string | undefined;
      for (let i = 0; i < maxPages; i++) {
        const page = await unwrap(
          api.GET("/v1/activities/calendar", { params: { query: { from: from.toISOString(), to: to.toISOString(), type: "meeting,task", limit: pageLimit, cursor, ...who } } }),
        );
        items.push(...page.items);
        cursor = page.nextCursor;
        if (!cursor) break;
      }
      return items.sort(byStart);
    },
  });
}

/** rescheduled is the merge patch that moves a meeting (keeping its length) or a task's due time to start. */
export function rescheduled(a: Activity, start: Dayjs): Record<string, unknown> {
  if (a.meeting) {
    const length = dayjs(a.meeting.endAt).diff(dayjs(a.meeting.startAt));
    return { meeting: { startAt: start.toISOString(), endAt: start.add(length, "millisecond").toISOString() } };
  }
  return { task: { dueAt: start.toISOString() } };
}

/**
 * useActivityWrites completes tasks and reschedules activities with the
 * version last read (If-Match); a 412 offers to reload or overwrite, and
 * every success refreshes the lists of activities.
 */
export function useActivityWrites() {
  const qc = useQueryClient();
  const t = useT();
  const { modal, message } = App.useApp();
  const refresh = () => qc.invalidateQueries({ queryKey: ["activities"] });
  const conflictOr = (err: unknown, overwrite: () => void) => {
    if (!resolveConflict(modal, t, err, refresh, overwrite)) message.error(err instanceof Error ? err.message : String(err));
  };

  const complete = useMutation({
    mutationFn: ({ a, force }: { a: Activity; force?: boolean }) =>
      unwrap(api.POST("/v1/activities/{id}/complete", { params: { path: { id: a.id }, header: force ? {} : { "If-Match": ifMatch(a.version) } } })),
    onSuccess: () => {
      message.success(t("calendar.completed"));
      return refresh();
    },
    onError: (err, { a }) => conflictOr(err, () => complete.mutate({ a, force: true })),
  });

  const reschedule = useMutation({
    mutationFn: async ({ a, start, force }: { a: Activity; start: Dayjs; force?: boolean }) => {
      const version = force ? (await unwrap(api.GET("/v1/activities/{id}", { params: { path: { id: a.id } } }))).version : a.version;
      return unwrap(api.PATCH("/v1/activities/{id}", { params: { path: { id: a.id }, header: { "If-Match": ifMatch(version) } }, headers: mergePatch, body: rescheduled(a, start) }));
    },
    onSuccess: () => refresh(),
    onError: (err, { a, start }) => conflictOr(err, () => reschedule.mutate({ a, start, force: true })),
  });

  return { complete, reschedule };
}
