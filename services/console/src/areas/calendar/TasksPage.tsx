import { PlusOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { Button, Space, Tag, Typography } from "antd";
import dayjs, { type Dayjs } from "dayjs";
import { useState } from "react";
import { api, unwrap } from "../../api/client";
import { useSession } from "../../auth/session";
import { CursorPager } from "../../components/CursorPager";
import { ErrorState } from "../../components/ErrorState";
import { ResponsiveList } from "../../components/ResponsiveList";
import { useI18n } from "../../i18n/I18n";
import { formatDateTime } from "../../lib/dates";
import { useCursorStack } from "../../lib/useCursorStack";
import { useActivityWrites, type Activity, type Who } from "./activities";
import { ActivityForm, nextHour } from "./ActivityForm";
import { WhoSelect } from "./WhoSelect";

/** TasksPage lists the open tasks of the user, another user or a team, overdue ones marked, each completed in place. */
export default function TasksPage() {
  const { t, locale } = useI18n();
  const { me } = useSession();
  const [who, setWho] = useState<Who>({ assignee: me?.user.id ?? "me" });
  const pages = useCursorStack();
  const tasks = useQuery({
    queryKey: ["activities", "tasks", who, pages.cursor],
    queryFn: () => unwrap(api.GET("/v1/activities", { params: { query: { type: "task", status: "open", limit: 50, cursor: pages.cursor || undefined, ...who } } })),
  });
  const { complete } = useActivityWrites();
  const [creating, setCreating] = useState<Dayjs | null>(null);
  const now = dayjs();
  const overdue = (a: Activity) => !!a.task?.dueAt && dayjs(a.task.dueAt).isBefore(now);
  const due = (a: Activity) => (a.task?.dueAt ? <Tag color={overdue(a) ? "red" : undefined}>{formatDateTime(a.task.dueAt, locale)}</Tag> : <Tag>{t("calendar.noDue")}</Tag>);
  const done = (a: Activity) => (
    <Button size="small" loading={complete.isPending && complete.variables?.a.id === a.id} onClick={(e) => (e.stopPropagation(), complete.mutate({ a }))} data-testid="task-complete" aria-label={t("calendar.completeNamed", { subject: a.subject ?? "" })}>
      {t("calendar.complete")}
    </Button>
  );

  return (
    <div data-testid="page-tasks">
      <Typography.Title level={1} style={{ fontSize: 24 }}>
        {t("calendar.tasks")}
      </Typography.Title>
      <Space wrap style={{ marginBottom: 12 }}>
        <WhoSelect
          value={who}
          onChange={(w) => {
            setWho(w);
            pages.reset();
          }}
        />
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(nextHour())} data-testid="task-new">
          {t("calendar.newTask")}
        </Button>
      </Space>
      {tasks.isError ? (
        <ErrorState error={tasks.error} onRetry={() => tasks.refetch()} />
      ) : (
        <ResponsiveList<Activity>
          rowKey="id"
          caption={t("calendar.tasks")}
          loading={tasks.isLoading}
          data={tasks.data?.items ?? []}
          columns={[
            { key: "subject", title: t("calendar.subject"), render: (_, a) => a.subject },
            { key: "due", title: t("calendar.due"), render: (_, a) => due(a) },
            { key: "priority", title: t("calendar.priority"), render: (_, a) => t(`calendar.priority.${a.task?.priority ?? "normal"}`) },
            { key: "done", title: <span className="sr-only">{t("calendar.complete")}</span>, render: (_, a) => done(a) },
          ]}
          card={(a) => (
            <Space direction="vertical" size={4} style={{ width: "100%" }}>
              <strong>{a.subject}</strong>
              <Space wrap>
                {due(a)}
                {done(a)}
              </Space>
            </Space>
          )}
          footer={<CursorPager hasPrev={pages.depth > 1} hasNext={!!tasks.data?.nextCursor} onPrev={pages.prev} onNext={() => tasks.data?.nextCursor && pages.next(tasks.data.nextCursor)} busy={tasks.isFetching} />}
        />
      )}
      <ActivityForm at={creating} assignee={"assignee" in who ? who.assignee : undefined} onClose={() => setCreating(null)} />
    </div>
  );
}
