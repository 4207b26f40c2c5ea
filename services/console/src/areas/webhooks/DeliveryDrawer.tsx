import { useMutation, useQueryClient } from "@tanstack/react-query";
import { App, Button, Card, Descriptions, Drawer, Empty, Space, Tag, Typography } from "antd";
import { useSession } from "../../auth/session";
import { ErrorState } from "../../components/ErrorState";
import { useI18n } from "../../i18n/I18n";
import { formatDateTime } from "../../lib/dates";
import { keys, redeliver, useDelivery, type Attempt } from "./api";
import { colours, DeliveryStatusTag } from "./StatusTag";

/** Excerpt is a request's or a response's headers and the start of its body. */
function Excerpt({ label, headers, body, testId }: { label: string; headers?: Record<string, string> | null; body?: string; testId: string }) {
  const head = Object.entries(headers ?? {})
    .map(([k, v]) => `${k}: ${v}`)
    .join("\n");
  return (
    <div>
      <Typography.Text strong>{label}</Typography.Text>
      <pre data-testid={testId} tabIndex={0} style={{ maxHeight: 240, overflow: "auto", whiteSpace: "pre-wrap", wordBreak: "break-all", background: "#f5f5f5", padding: 8, margin: "4px 0 0" }}>
        {[head, body ?? ""].filter(Boolean).join("\n\n")}
      </pre>
    </div>
  );
}

/** AttemptCard is one attempt: when, how long, the HTTP status or error, what was sent and what came back. */
function AttemptCard({ a }: { a: Attempt }) {
  const { t, locale } = useI18n();
  const ok = a.status !== undefined && a.status !== null && a.status >= 200 && a.status < 300;
  return (
    <Card
      size="small"
      data-testid="attempt"
      data-n={a.n}
      title={
        <Space wrap>
          <span>{t("webhooks.attempt.n", { n: a.n })}</span>
          {a.status ? <Tag color={ok ? colours.ok : colours.bad}>HTTP {a.status}</Tag> : <Tag color={colours.bad}>{t("webhooks.delivery.noAnswer")}</Tag>}
        </Space>
      }
      extra={<span>{t("webhooks.attempt.at", { at: formatDateTime(a.at, locale), ms: a.durationMs })}</span>}
    >
      <Space direction="vertical" style={{ width: "100%" }}>
        {a.error && <Typography.Text type="danger" data-testid="attempt-error">{a.error}</Typography.Text>}
        <Excerpt label={t("webhooks.attempt.request")} headers={a.requestHeaders} body={a.requestExcerpt} testId="attempt-request" />
        <Excerpt label={t("webhooks.attempt.response")} headers={a.responseHeaders} body={a.responseExcerpt} testId="attempt-response" />
      </Space>
    </Card>
  );
}

/**
 * DeliveryDrawer shows a delivery with each attempt's request and response
 * excerpts, newest first, and redelivers it (a new series of attempts),
 * following it while it is pending.
 */
export function DeliveryDrawer({ id, onClose }: { id: string | null; onClose: () => void }) {
  const { t, locale } = useI18n();
  const { can } = useSession();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const detail = useDelivery(id);
  const again = useMutation({
    mutationFn: () => redeliver(id ?? ""),
    onSuccess: () => {
      void message.success(t("webhooks.redelivered"));
      void qc.invalidateQueries({ queryKey: keys.all });
    },
    onError: (err) => void message.error(err.message),
  });
  const d = detail.data?.delivery;
  const attempts = [...(detail.data?.attempts ?? [])].sort((a, b) => b.at.localeCompare(a.at) || b.n - a.n);

  return (
    <Drawer open={id !== null} onClose={onClose} width={720} title={t("webhooks.delivery.title")} destroyOnClose data-testid="delivery-drawer">
      {detail.isError && <ErrorState error={detail.error} onRetry={() => void detail.refetch()} />}
      {d && (
        <Space direction="vertical" style={{ width: "100%" }} size="middle">
          <Descriptions bordered size="small" column={1}>
            <Descriptions.Item label={t("webhooks.status")}>
              <DeliveryStatusTag status={d.status} />
            </Descriptions.Item>
            <Descriptions.Item label={t("webhooks.delivery.eventType")}>{d.eventType}</Descriptions.Item>
            <Descriptions.Item label={t("webhooks.delivery.subject")}>
              <code>{d.subject}</code>
            </Descriptions.Item>
            <Descriptions.Item label={t("webhooks.delivery.eventId")}>
              <code>{d.eventId}</code>
            </Descriptions.Item>
            <Descriptions.Item label={t("webhooks.delivery.attempts")}>{d.attempts}</Descriptions.Item>
            <Descriptions.Item label={t("webhooks.delivery.created")}>{formatDateTime(d.createdAt, locale)}</Descriptions.Item>
            {d.deliveredAt && <Descriptions.Item label={t("webhooks.delivery.delivered")}>{formatDateTime(d.deliveredAt, locale)}</Descriptions.Item>}
            {d.status === "pending" && d.nextAttemptAt && <Descriptions.Item label={t("webhooks.delivery.next")}>{formatDateTime(d.nextAttemptAt, locale)}</Descriptions.Item>}
            {d.lastError && <Descriptions.Item label={t("webhooks.delivery.lastError")}>{d.lastError}</Descriptions.Item>}
          </Descriptions>
          {can("webhooks:manage") && (
            <Button onClick={() => again.mutate()} loading={again.isPending} disabled={d.status === "pending"} data-testid="delivery-redeliver">
              {t("webhooks.redeliver")}
            </Button>
          )}
          <Typography.Title level={3} style={{ fontSize: 16, margin: 0 }}>
            {t("webhooks.attempts")}
          </Typography.Title>
          {attempts.length === 0 ? <Empty description={t("webhooks.attempt.none")} /> : attempts.map((a) => <AttemptCard key={`${a.n}-${a.at}`} a={a} />)}
        </Space>
      )}
    </Drawer>
  );
}
