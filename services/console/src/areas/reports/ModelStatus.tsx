import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { App, Button, Card, Descriptions, Progress, Space, Table, Tag } from "antd";
import { useEffect, useState } from "react";
import { api, unwrap } from "../../api/client";
import { useSession } from "../../auth/session";
import { ErrorState } from "../../components/ErrorState";
import { useI18n } from "../../i18n/I18n";
import { formatDate, formatDateTime } from "../../lib/dates";
import { reportsKey, type PredictionModel } from "./api";

/** statusColors are the models' statuses' tag colours. */
const statusColors: Record<PredictionModel["status"], string> = { ready: "green", notEnoughData: "orange", untrained: "default" };

/**
 * RebuildPanel starts a rebuild of the read models (POST /admin/v1/rebuild)
 * and follows it (GET /admin/v1/rebuild, every 2 s while one runs).
 */
function RebuildPanel() {
  const { t, locale } = useI18n();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [polling, setPolling] = useState(false);
  const status = useQuery({
    queryKey: reportsKey("rebuild"),
    queryFn: () => unwrap(api.GET("/admin/v1/rebuild")),
    refetchInterval: (q) => (polling || q.state.data?.running ? 2000 : false),
  });
  const start = useMutation({
    mutationFn: () => unwrap(api.POST("/admin/v1/rebuild", {})),
    onSuccess: () => {
      setPolling(true);
      void qc.invalidateQueries({ queryKey: reportsKey("rebuild") });
    },
    onError: (e) => message.error(e.message),
  });
  const running = status.data?.running;
  useEffect(() => {
    if (polling && status.data && !status.data.running) setPolling(false);
  }, [polling, status.data]);
  const active = status.data?.generations.find((g) => g.state === "active");
  const target = running?.topics.reduce((s, x) => s + x.target, 0) ?? 0;
  const position = running?.topics.reduce((s, x) => s + x.position, 0) ?? 0;
  return (
    <Card size="small" title={t("reports.rebuild.title")} data-testid="rebuild">
      <Space direction="vertical" style={{ width: "100%" }}>
        {active && <span>{t("reports.rebuild.active", { n: active.generation, at: formatDateTime(active.switchedAt ?? active.startedAt, locale) })}</span>}
        {running ? (
          <div data-testid="rebuild-running">
            {t("reports.rebuild.running", { n: running.generation, applied: running.applied })}
            <Progress percent={target > 0 ? Math.floor((position * 100) / target) : 0} />
          </div>
        ) : (
          <Button onClick={() => start.mutate()} loading={start.isPending} data-testid="rebuild-start">
            {t("reports.rebuild.start")}
          </Button>
        )}
      </Space>
    </Card>
  );
}

/**
 * ModelStatus shows each prediction model as last trained (status, metric
 * on the held-out period, sizes, why it lacks data) and, for a
 * reporting:admin, retrains them now and rebuilds the read models.
 */
export function ModelStatus() {
  const { t, locale } = useI18n();
  const { can } = useSession();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const q = useQuery({ queryKey: reportsKey("models"), queryFn: () => unwrap(api.GET("/v1/predictions/models")) });
  const retrain = useMutation({
    mutationFn: () => unwrap(api.POST("/v1/predictions/retrain", {})),
    onSuccess: (m) => {
      qc.setQueryData(reportsKey("models"), m);
      void qc.invalidateQueries({ queryKey: ["reports", "predictions"] });
      message.success(t("reports.models.retrained"));
    },
    onError: (e) => message.error(e.message),
  });
  const admin = can("reporting:admin");
  const period = (p?: { from: string; to: string }) => (p ? `${formatDate(p.from, locale)} – ${formatDate(p.to, locale)}` : "—");
  return (
    <Space direction="vertical" style={{ width: "100%" }} data-testid="models">
      {q.isError ? (
        <ErrorState error={q.error} onRetry={() => q.refetch()} />
      ) : (
        <Table<PredictionModel>
          size="small"
          rowKey="kind"
          loading={q.isLoading}
          dataSource={q.data?.items ?? []}
          pagination={false}
          scroll={{ x: "max-content" }}
          onRow={(m) => ({ "data-testid": "model-row", "data-kind": m.kind }) as object}
          title={() =>
            admin && (
              <Button type="primary" loading={retrain.isPending} onClick={() => retrain.mutate()} data-testid="models-retrain">
                {t("reports.models.retrain")}
              </Button>
            )
          }
          expandable={{
            expandedRowRender: (m) => (
              <Descriptions size="small" column={1}>
                <Descriptions.Item label={t("reports.models.version")}>{m.version ?? "—"}</Descriptions.Item>
                <Descriptions.Item label={t("reports.models.trainPeriod")}>{period(m.trainPeriod)}</Descriptions.Item>
                <Descriptions.Item label={t("reports.models.sizes")}>{t("reports.models.sizesValue", { train: m.trainSize, test: m.testSize })}</Descriptions.Item>
              </Descriptions>
            ),
          }}
          columns={[
            { title: t("reports.models.kind"), key: "kind", render: (_: unknown, m) => t(`reports.models.kind.${m.kind}`) },
            { title: t("reports.models.status"), key: "status", render: (_: unknown, m) => <Tag color={statusColors[m.status]}>{t(`reports.models.status.${m.status}`)}</Tag> },
            { title: t("reports.models.metric"), key: "metric", render: (_: unknown, m) => (m.metric ? `${m.metric.name} ${m.metric.value.toFixed(3)}` : "—") },
            { title: t("reports.models.heldOut"), key: "heldOut", render: (_: unknown, m) => period(m.heldOutPeriod) },
            { title: t("reports.models.trainedAt"), key: "trainedAt", render: (_: unknown, m) => (m.trainedAt ? formatDateTime(m.trainedAt, locale) : "—") },
            { title: t("reports.models.reason"), key: "reason", render: (_: unknown, m) => m.reason || "—" },
          ]}
        />
      )}
      {admin && <RebuildPanel />}
    </Space>
  );
}
