import { CopyOutlined, DeleteOutlined, EditOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { App, Button, Typography } from "antd";
import { useNavigate, useParams } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import { ifMatch } from "../../api/headers";
import { useSession } from "../../auth/session";
import { ErrorState } from "../../components/ErrorState";
import { useI18n } from "../../i18n/I18n";
import { useIsPhone } from "../../lib/useIsPhone";
import { reportsKey, type Dashboard, type Widget } from "./api";
import { Freshness } from "./Freshness";
import { PageTitle } from "./PageTitle";
import { WidgetCard } from "./WidgetCard";

/** byPlace orders widgets as the grid places them: by row, then column. */
export function byPlace(ws: Widget[]): Widget[] {
  return [...ws].sort((a, b) => a.layout.y - b.layout.y || a.layout.x - b.layout.x);
}

/**
 * DashboardPage shows a dashboard's widgets on a grid of 12 columns (one
 * column on a phone), each drawing its report; the owner (or an admin)
 * edits or deletes a saved one, and a writer copies any.
 */
export default function DashboardPage() {
  const { id = "" } = useParams();
  const { t } = useI18n();
  const { can, me } = useSession();
  const phone = useIsPhone();
  const nav = useNavigate();
  const qc = useQueryClient();
  const { message, modal } = App.useApp();
  const q = useQuery({ queryKey: reportsKey("dashboard", id), queryFn: () => unwrap(api.GET("/v1/dashboards/{id}", { params: { path: { id } } })) });
  const copy = useMutation({
    mutationFn: () => unwrap(api.POST("/v1/dashboards/{id}/copy", { params: { path: { id } } })),
    onSuccess: (d: Dashboard) => {
      void qc.invalidateQueries({ queryKey: reportsKey("dashboards") });
      message.success(t("reports.dashboard.copied"));
      nav(`/reports/dashboards/${d.id}/edit`);
    },
    onError: (e) => message.error(e.message),
  });
  const remove = useMutation({
    mutationFn: (d: Dashboard) => unwrap(api.DELETE("/v1/dashboards/{id}", { params: { path: { id: d.id }, header: ifMatch(d.version) } })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: reportsKey("dashboards") });
      nav("/reports/dashboards");
    },
    onError: (e) => message.error(e.message),
  });
  if (q.isError) return <ErrorState error={q.error} onRetry={() => q.refetch()} />;
  const d = q.data;
  const writer = can("reporting:write");
  const mine = !!d && !d.builtIn && (d.ownerId === me?.user.id || can("reporting:admin"));
  return (
    <div data-testid="page-dashboard" data-id={id}>
      <PageTitle title={d?.name ?? ""}>
        {writer && mine && (
          <Button icon={<EditOutlined />} onClick={() => nav(`/reports/dashboards/${encodeURIComponent(id)}/edit`)} data-testid="dashboard-edit">
            {t("reports.edit")}
          </Button>
        )}
        {writer && (
          <Button icon={<CopyOutlined />} loading={copy.isPending} onClick={() => copy.mutate()} data-testid="dashboard-copy">
            {t("reports.dashboard.copy")}
          </Button>
        )}
        {writer && mine && d && (
          <Button danger icon={<DeleteOutlined />} loading={remove.isPending} data-testid="dashboard-delete"
            onClick={() => modal.confirm({ title: t("reports.dashboard.deleteConfirm"), okButtonProps: { danger: true }, onOk: () => remove.mutateAsync(d) })}>
            {t("reports.delete")}
          </Button>
        )}
      </PageTitle>
      {d?.description && <Typography.Paragraph type="secondary">{d.description}</Typography.Paragraph>}
      <Freshness />
      <div style={{ display: "grid", gridTemplateColumns: "repeat(12, minmax(0, 1fr))", gap: 12 }}>
        {byPlace(d?.widgets ?? []).map((w) => (
          <div key={w.id} style={{ gridColumn: `span ${phone ? 12 : Math.min(12, Math.max(1, w.layout.w))}` }}>
            <WidgetCard view={w} />
          </div>
        ))}
      </div>
    </div>
  );
}
