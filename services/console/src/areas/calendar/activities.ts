import { App } from "antd";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { Dayjs } from "dayjs";
import { api, unwrap } from "../../api/client";
import { mergePatch } from "../../api/headers";
import { resolveConflict } from "../../components/conflict";
import { useT } from "../../i18n/I18n";
import { byStart, ifMatch, isOpenTask, rescheduled, startOf, type Activity } from "./time";

export type { Activity };
export { isOpenTask, startOf };

/** Who is whose calendar is shown: the signed-in user's, another user's or a team's. */
export type Who = { assignee: string } | { team: string };

/** pageLimit is the page size of the calendar's reads; maxPages bounds one range's. */
const pageLimit = 200;
const maxPages = 5;

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
