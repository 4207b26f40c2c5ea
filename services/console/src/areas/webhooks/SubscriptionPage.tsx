import { ArrowLeftOutlined } from "@ant-design/icons";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Descriptions, Space, Tag, Typography } from "antd";
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router-dom";
import { useSession } from "../../auth/session";
import { ErrorState } from "../../components/ErrorState";
import { useI18n } from "../../i18n/I18n";
import { formatDateTime } from "../../lib/dates";
import { PageHead } from "../admin/shared";
import { deleteSubscription, enableSubscription, keys, ping, rotateSecret, useSubscription, type Subscription } from "./api";
import { DeliveryLog } from "./DeliveryLog";
import { SecretDialog } from "./SecretDialog";
import { SubscriptionStatus } from "./StatusTag";
import { SubscriptionForm } from "./SubscriptionForm";

/** Actions are what a webhooks manager does to a subscription: edit, test, rotate, enable, delete. */
function Actions({ s, edit, secret }: { s: Subscription; edit: () => void; secret: (v: string) => void }) {
  const { t } = useI18n();
  const { modal, message } = App.useApp();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const refresh = () => qc.invalidateQueries({ queryKey: keys.all });
  const fail = (err: Error) => void message.error(err.message);
  const test = useMutation({ mutationFn: () => ping(s.id), onSuccess: () => { void message.success(t("webhooks.pinged")); void refresh(); }, onError: fail });
  const enable = useMutation({ mutationFn: () => enableSubscription(s.id), onSuccess: () => { void message.success(t("webhooks.enabled")); void refresh(); }, onError: fail });
  const rotate = useMutation({ mutationFn: () => rotateSecret(s.id), onSuccess: (r) => { secret(r.secret ?? ""); void refresh(); }, onError: fail });
  const remove = useMutation({ mutationFn: () => deleteSubscription(s), onSuccess: () => { void message.success(t("webhooks.deleted")); void refresh(); navigate("/admin/webhooks"); }, onError: fail });

  return (
    <Space wrap>
      <Button onClick={edit} data-testid="webhook-edit">{t("action.edit")}</Button>
      <Button onClick={() => test.mutate()} loading={test.isPending} disabled={s.status !== "active"} data-testid="webhook-ping">
        {t("webhooks.ping")}
      </Button>
      {s.status === "disabled" && (
        <Button type="primary" onClick={() => enable.mutate()} loading={enable.isPending} data-testid="webhook-enable">
          {t("webhooks.enable")}
        </Button>
      )}
      <Button
        data-testid="webhook-rotate"
        onClick={() => modal.confirm({ title: t("webhooks.rotateTitle"), content: t("webhooks.rotateBody"), okText: t("webhooks.rotate"), onOk: () => rotate.mutateAsync() })}
      >
        {t("webhooks.rotate")}
      </Button>
      <Button
        danger
        data-testid="webhook-delete"
        onClick={() =>
          modal.confirm({
            title: t("webhooks.deleteTitle", { url: s.url }),
            content: t("webhooks.deleteBody"),
            okText: t("action.delete"),
            okButtonProps: { danger: true, ...({ "data-testid": "webhook-delete-confirm" } as object) },
            onOk: () => remove.mutateAsync(),
          })
        }
      >
        {t("action.delete")}
      </Button>
    </Space>
  );
}

/**
 * SubscriptionPage shows one subscription (its URL, types, filter and
 * state: why and since when it is disabled or failing), what a manager may
 * do to it, and its delivery log.
 */
export default function SubscriptionPage() {
  const { id = "" } = useParams();
  const { t, locale } = useI18n();
  const { can } = useSession();
  const sub = useSubscription(id);
  const [editing, setEditing] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const s = sub.data;

  return (
    <div data-testid="page-webhook">
      <div style={{ marginBottom: 8 }}>
        <Link to="/admin/webhooks" style={{ textDecoration: "underline" }}>
          <ArrowLeftOutlined /> {t("webhooks.title")}
        </Link>
      </div>
      {sub.isError && <ErrorState error={sub.error} onRetry={() => void sub.refetch()} />}
      {s && (
        <>
          <PageHead title={t("webhooks.subscription")}>{can("webhooks:manage") && <Actions s={s} edit={() => setEditing(true)} secret={setSecret} />}</PageHead>
          {s.status === "disabled" && (
            <Alert
              type="error"
              showIcon
              style={{ marginBottom: 16 }}
              data-testid="webhook-disabled"
              message={t("webhooks.disabledAt", { at: formatDateTime(s.disabledAt, locale) })}
              description={s.disabledReason}
            />
          )}
          <Descriptions bordered size="small" column={1} style={{ marginBottom: 24 }}>
            <Descriptions.Item label={t("webhooks.url")}>
              <Typography.Text copyable data-testid="webhook-url-shown" style={{ wordBreak: "break-all" }}>{s.url}</Typography.Text>
            </Descriptions.Item>
            <Descriptions.Item label={t("webhooks.description")}>{s.description}</Descriptions.Item>
            <Descriptions.Item label={t("webhooks.status")}>
              <SubscriptionStatus s={s} />
            </Descriptions.Item>
            <Descriptions.Item label={t("webhooks.eventTypes")}>
              {s.eventTypes.map((p) => (
                <Tag key={p}>{p}</Tag>
              ))}
            </Descriptions.Item>
            <Descriptions.Item label={t("webhooks.filter")}>
              {s.filter ? <Typography.Text code>{JSON.stringify(s.filter)}</Typography.Text> : t("webhooks.noFilter")}
            </Descriptions.Item>
            <Descriptions.Item label={t("webhooks.failingSince")}>{formatDateTime(s.failingSince, locale) || t("webhooks.notFailing")}</Descriptions.Item>
            <Descriptions.Item label={t("webhooks.created")}>{formatDateTime(s.createdAt, locale)}</Descriptions.Item>
          </Descriptions>
          <DeliveryLog subscriptionId={s.id} />
          <SubscriptionForm open={editing} sub={s} onClose={() => setEditing(false)} saved={() => setEditing(false)} />
          <SecretDialog secret={secret} onClose={() => setSecret(null)} />
        </>
      )}
    </div>
  );
}
