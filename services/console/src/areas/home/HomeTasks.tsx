import { useQuery } from "@tanstack/react-query";
import { Button, Card, List, Tag, Typography } from "antd";
import { Link } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import { ErrorState } from "../../components/ErrorState";
import { useI18n } from "../../i18n/I18n";
import { formatDateTime } from "../../lib/dates";
import { useActivityWrites, type Activity } from "../calendar/activities";

/** cardTitle is a card's heading, a level-2 heading for screen readers. */
export function cardTitle(text: string) {
  return <h2 style={{ fontSize: 16, margin: 0 }}>{text}</h2>;
}

/** TaskList is a list of tasks, each completed in place. */
function TaskList({ items, loading, overdue, testid }: { items: Activity[]; loading: boolean; overdue?: boolean; testid: string }) {
  const { t, locale } = useI18n();
  const { complete } = useActivityWrites();
  return (
    <List
      loading={loading}
      dataSource={items}
      data-testid={testid}
      locale={{ emptyText: <Typography.Text type="secondary">{t("home.noTasks")}</Typography.Text> }}
      renderItem={(a) => (
        <List.Item
          data-testid="home-task"
          data-id={a.id}
          actions={[
            <Button
              key="done"
              size="small"
              loading={complete.isPending && complete.variables?.a.id === a.id}
              onClick={() => complete.mutate({ a })}
              aria-label={t("calendar.completeNamed", { subject: a.subject ?? "" })}
              data-testid="home-task-complete"
            >
              {t("calendar.complete")}
            </Button>,
          ]}
        >
          <List.Item.Meta title={a.subject} description={a.task?.dueAt ? <Tag color={overdue ? "red" : undefined}>{t("home.due", { when: formatDateTime(a.task.dueAt, locale) })}</Tag> : null} />
        </List.Item>
      )}
    />
  );
}

/** HomeTasks shows the user's open tasks, soonest due first, and the overdue ones. */
export function HomeTasks() {
  const { t } = useI18n();
  const mine = useQuery({ queryKey: ["activities", "my-tasks"], queryFn: () => unwrap(api.GET("/v1/activities/my-tasks", { params: { query: { limit: 10 } } })) });
  const overdue = useQuery({ queryKey: ["activities", "overdue"], queryFn: () => unwrap(api.GET("/v1/activities/overdue", { params: { query: { limit: 10 } } })) });
  return (
    <>
      <Card title={cardTitle(t("home.myTasks"))} extra={<Link to="/tasks">{t("home.allTasks")}</Link>} style={{ marginBottom: 16 }}>
        {mine.isError ? <ErrorState error={mine.error} onRetry={() => mine.refetch()} /> : <TaskList items={mine.data?.items ?? []} loading={mine.isLoading} testid="home-my-tasks" />}
      </Card>
      <Card title={cardTitle(t("home.overdue"))}>
        {overdue.isError ? <ErrorState error={overdue.error} onRetry={() => overdue.refetch()} /> : <TaskList items={overdue.data?.items ?? []} loading={overdue.isLoading} overdue testid="home-overdue" />}
      </Card>
    </>
  );
}
