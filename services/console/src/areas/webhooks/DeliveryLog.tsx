import { ReloadOutlined } from "@ant-design/icons";
import { Button, Select, Space, Typography } from "antd";
import { useState } from "react";
import { PagedList } from "../../components/PagedList";
import { useI18n } from "../../i18n/I18n";
import { formatDateTime } from "../../lib/dates";
import { useDeliveries, type Delivery, type DeliveryStatus } from "./api";
import { DeliveryDrawer } from "./DeliveryDrawer";
import { DeliveryStatusTag } from "./StatusTag";

const statuses: DeliveryStatus[] = ["pending", "succeeded", "failed"];

/**
 * DeliveryLog is a subscription's deliveries, newest first, of one status
 * or all: each one's state, event type, subject, attempts, last HTTP status
 * and times; a delivery opens in a drawer with its attempts.
 */
export function DeliveryLog({ subscriptionId }: { subscriptionId: string }) {
  const { t, locale } = useI18n();
  const [status, setStatus] = useState<DeliveryStatus | undefined>(undefined);
  const [open, setOpen] = useState<string | null>(null);
  const paged = useDeliveries(subscriptionId, status);
  const lastStatus = (d: Delivery) => (d.lastStatus ? String(d.lastStatus) : d.lastError ? t("webhooks.delivery.noAnswer") : "");

  return (
    <section aria-labelledby="webhook-deliveries">
      <Space wrap style={{ display: "flex", justifyContent: "space-between", marginBottom: 12 }}>
        <Typography.Title level={2} id="webhook-deliveries" style={{ fontSize: 18, margin: 0 }}>
          {t("webhooks.deliveries")}
        </Typography.Title>
        <Space wrap>
          <Select<DeliveryStatus | "all">
            value={status ?? "all"}
            style={{ minWidth: 180 }}
            aria-label={t("webhooks.delivery.filter")}
            id="delivery-status-filter"
            onChange={(v) => {
              setStatus(v === "all" ? undefined : v);
              paged.pages.reset();
            }}
            options={[{ value: "all", label: t("webhooks.delivery.all") }, ...statuses.map((s) => ({ value: s, label: t(`webhooks.delivery.status.${s}`) }))]}
          />
          <Button icon={<ReloadOutlined />} onClick={() => void paged.list.refetch()} loading={paged.list.isFetching} data-testid="delivery-refresh">
            {t("webhooks.delivery.refresh")}
          </Button>
        </Space>
      </Space>
      <PagedList<Delivery>
        paged={paged}
        rowKey="id"
        caption={t("webhooks.deliveries")}
        onOpen={(d) => setOpen(d.id)}
        columns={[
          { title: t("webhooks.status"), key: "status", render: (_, d) => <DeliveryStatusTag status={d.status} /> },
          {
            title: t("webhooks.delivery.eventType"),
            key: "type",
            render: (_, d) => (
              <Button type="link" size="small" style={{ padding: 0 }} onClick={(e) => { e.stopPropagation(); setOpen(d.id); }}>
                {d.eventType}
              </Button>
            ),
          },
          { title: t("webhooks.delivery.subject"), key: "subject", render: (_, d) => <code data-testid="delivery-subject">{d.subject}</code> },
          { title: t("webhooks.delivery.attempts"), dataIndex: "attempts" },
          { title: t("webhooks.delivery.lastStatus"), key: "last", render: (_, d) => lastStatus(d) },
          { title: t("webhooks.delivery.created"), key: "created", render: (_, d) => formatDateTime(d.createdAt, locale) },
          {
            title: t("webhooks.delivery.when"),
            key: "when",
            render: (_, d) =>
              d.deliveredAt
                ? t("webhooks.delivery.deliveredAt", { at: formatDateTime(d.deliveredAt, locale) })
                : d.status === "pending" && d.nextAttemptAt
                  ? t("webhooks.delivery.nextAt", { at: formatDateTime(d.nextAttemptAt, locale) })
                  : "",
          },
        ]}
        card={(d) => (
          <Space direction="vertical" size={2} style={{ width: "100%" }}>
            <Space wrap>
              <DeliveryStatusTag status={d.status} />
              <Typography.Text strong>{d.eventType}</Typography.Text>
            </Space>
            <code data-testid="delivery-subject" style={{ wordBreak: "break-all" }}>{d.subject}</code>
            <span>
              {t("webhooks.delivery.attemptsN", { n: d.attempts })} {lastStatus(d)} · {formatDateTime(d.createdAt, locale)}
            </span>
          </Space>
        )}
      />
      <DeliveryDrawer id={open} onClose={() => setOpen(null)} />
    </section>
  );
}
