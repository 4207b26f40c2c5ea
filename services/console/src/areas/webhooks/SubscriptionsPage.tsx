import { PlusOutlined } from "@ant-design/icons";
import { Button, Space, Tag, Typography } from "antd";
import { useState } from "react";
import { Link, useNavigate } from "react-router-dom";
import { useSession } from "../../auth/session";
import { PagedList } from "../../components/PagedList";
import { useI18n } from "../../i18n/I18n";
import { formatDateTime } from "../../lib/dates";
import { PageHead } from "../admin/shared";
import { useLastDelivery, useSubscriptions, type Subscription } from "./api";
import { SecretDialog } from "./SecretDialog";
import { DeliveryStatusTag, SubscriptionStatus } from "./StatusTag";
import { SubscriptionForm } from "./SubscriptionForm";

/** LastDelivery is a subscription's latest delivery: its state and when it was made. */
function LastDelivery({ id }: { id: string }) {
  const { t, locale } = useI18n();
  const last = useLastDelivery(id);
  if (last.isLoading) return null;
  if (!last.data) return <Typography.Text type="secondary">{t("webhooks.never")}</Typography.Text>;
  return (
    <Space size={4} data-testid="webhook-last-delivery">
      <DeliveryStatusTag status={last.data.status} />
      <span>{formatDateTime(last.data.deliveredAt ?? last.data.createdAt, locale)}</span>
    </Space>
  );
}

/** Types lists a subscription's event type patterns as tags. */
function Types({ s }: { s: Subscription }) {
  return (
    <>
      {s.eventTypes.map((p) => (
        <Tag key={p}>{p}</Tag>
      ))}
    </>
  );
}

/**
 * SubscriptionsPage lists the tenant's webhook subscriptions (URL, event
 * types, state, failing since, last delivery) and creates one; a new
 * subscription's signing secret shows once, then its page opens.
 */
export default function SubscriptionsPage() {
  const { t, locale } = useI18n();
  const { can } = useSession();
  const navigate = useNavigate();
  const paged = useSubscriptions();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<{ id: string; secret: string } | null>(null);

  return (
    <div data-testid="page-webhooks">
      <PageHead title={t("webhooks.title")}>
        {can("webhooks:manage") && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="webhook-create">
            {t("webhooks.create")}
          </Button>
        )}
      </PageHead>
      <Typography.Paragraph type="secondary">{t("webhooks.intro")}</Typography.Paragraph>
      <PagedList<Subscription>
        paged={paged}
        rowKey="id"
        caption={t("webhooks.title")}
        onOpen={(s) => navigate(`/admin/webhooks/${s.id}`)}
        columns={[
          { title: t("webhooks.url"), key: "url", render: (_, s) => <Link to={`/admin/webhooks/${s.id}`} onClick={(e) => e.stopPropagation()}>{s.url}</Link> },
          { title: t("webhooks.eventTypes"), key: "types", render: (_, s) => <Types s={s} /> },
          { title: t("webhooks.status"), key: "status", render: (_, s) => <SubscriptionStatus s={s} /> },
          { title: t("webhooks.failingSince"), key: "failing", render: (_, s) => formatDateTime(s.failingSince, locale) },
          { title: t("webhooks.lastDelivery"), key: "last", render: (_, s) => <LastDelivery id={s.id} /> },
        ]}
        card={(s) => (
          <Space direction="vertical" size={4} style={{ width: "100%" }}>
            <Space wrap>
              <Link to={`/admin/webhooks/${s.id}`} style={{ wordBreak: "break-all" }}>{s.url}</Link>
              <SubscriptionStatus s={s} />
            </Space>
            <div>
              <Types s={s} />
            </div>
            <LastDelivery id={s.id} />
          </Space>
        )}
      />
      <SubscriptionForm
        open={creating}
        sub={null}
        onClose={() => setCreating(false)}
        saved={(s) => {
          setCreating(false);
          if (s.secret) setCreated({ id: s.id, secret: s.secret });
        }}
      />
      <SecretDialog
        secret={created?.secret ?? null}
        onClose={() => {
          const id = created?.id;
          setCreated(null);
          if (id) navigate(`/admin/webhooks/${id}`);
        }}
      />
    </div>
  );
}
