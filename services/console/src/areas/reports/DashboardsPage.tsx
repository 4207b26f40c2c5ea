import { PlusOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { Button, List, Space, Tag, Typography } from "antd";
import { Link, useNavigate } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import { ErrorState } from "../../components/ErrorState";
import { useSession } from "../../auth/session";
import { useI18n } from "../../i18n/I18n";
import { formatDate } from "../../lib/dates";
import { builtInDashboards, reportsKey, type Dashboard } from "./api";
import { Freshness } from "./Freshness";
import { PageTitle } from "./PageTitle";

/** ordered puts the built-in dashboards first (sales manager, marketer, support manager), then the saved ones as listed. */
export function ordered(items: Dashboard[]): Dashboard[] {
  const rank = (d: Dashboard) => (d.builtIn ? builtInDashboards.indexOf(d.id) : builtInDashboards.length);
  return items.map((d, i) => ({ d, i })).sort((a, b) => rank(a.d) - rank(b.d) || a.i - b.i).map(({ d }) => d);
}

/** DashboardsPage lists the dashboards the user may see: the built-in ones first, then the saved ones. */
export default function DashboardsPage() {
  const { t, locale } = useI18n();
  const { can } = useSession();
  const nav = useNavigate();
  const q = useQuery({ queryKey: reportsKey("dashboards"), queryFn: () => unwrap(api.GET("/v1/dashboards", { params: { query: { limit: 200 } } })) });
  return (
    <div data-testid="page-dashboards">
      <PageTitle title={t("reports.dashboards.title")}>
        {can("reporting:write") && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => nav("/reports/dashboards/new")} data-testid="dashboard-new">
            {t("reports.dashboards.new")}
          </Button>
        )}
      </PageTitle>
      <Freshness />
      {q.isError ? (
        <ErrorState error={q.error} onRetry={() => q.refetch()} />
      ) : (
        <List<Dashboard>
          loading={q.isLoading}
          dataSource={ordered(q.data?.items ?? [])}
          locale={{ emptyText: t("reports.dashboards.empty") }}
          renderItem={(d) => (
            <List.Item data-testid="dashboard-item" data-id={d.id}>
              <List.Item.Meta
                title={
                  <Space>
                    <Link to={`/reports/dashboards/${encodeURIComponent(d.id)}`}>{d.name}</Link>
                    {d.builtIn && <Tag>{t("reports.dashboard.builtIn")}</Tag>}
                    {d.sharedRoles.length > 0 && <Tag color="blue">{t("reports.dashboard.sharedWith", { roles: d.sharedRoles.join(", ") })}</Tag>}
                  </Space>
                }
                description={
                  <Typography.Text type="secondary">
                    {d.description || t("reports.dashboard.widgets", { n: d.widgets.length })}
                    {!d.builtIn && ` · ${t("reports.dashboard.updated", { date: formatDate(d.updatedAt, locale) })}`}
                  </Typography.Text>
                }
              />
            </List.Item>
          )}
        />
      )}
    </div>
  );
}
