import { Card, Col, List, Row, Tag, Typography } from "antd";
import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import { useSession } from "../../auth/session";
import { ErrorState } from "../../components/ErrorState";
import { useI18n } from "../../i18n/I18n";
import { formatDateTime } from "../../lib/dates";

/** HomePage shows the signed-in user's open and overdue tasks. */
export default function HomePage() {
  const { t, locale } = useI18n();
  const { me } = useSession();
  const tasks = useQuery({ queryKey: ["activities", "my-tasks"], queryFn: () => unwrap(api.GET("/v1/activities/my-tasks", { params: { query: { limit: 20 } } })) });
  const overdue = useQuery({ queryKey: ["activities", "overdue"], queryFn: () => unwrap(api.GET("/v1/activities/overdue", { params: { query: { limit: 20 } } })) });
  return (
    <div data-testid="page-home">
      <Typography.Title level={1} style={{ fontSize: 24 }}>
        {t("home.title", { name: me?.user.name || me?.user.email || "" })}
      </Typography.Title>
      <Row gutter={[16, 16]}>
        {[
          { key: "mine", title: t("home.myTasks"), q: tasks },
          { key: "overdue", title: t("home.overdue"), q: overdue },
        ].map(({ key, title, q }) => (
          <Col xs={24} lg={12} key={key}>
            <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{title}</h2>}>
              {q.isError ? (
                <ErrorState error={q.error} onRetry={() => q.refetch()} />
              ) : (
                <List
                  loading={q.isLoading}
                  dataSource={q.data?.items ?? []}
                  locale={{ emptyText: t("home.noTasks") }}
                  renderItem={(a) => (
                    <List.Item>
                      <List.Item.Meta
                        title={a.subject}
                        description={a.task?.dueAt ? <Tag color={key === "overdue" ? "red" : undefined}>{t("home.due", { when: formatDateTime(a.task.dueAt, locale) })}</Tag> : null}
                      />
                    </List.Item>
                  )}
                />
              )}
            </Card>
          </Col>
        ))}
      </Row>
    </div>
  );
}
