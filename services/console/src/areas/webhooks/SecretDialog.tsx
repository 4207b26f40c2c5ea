import { Alert, Button, Modal, Typography } from "antd";
import { useT } from "../../i18n/I18n";

/**
 * SecretDialog shows a subscription's signing secret once, after a create
 * or a rotation, with a copy button and the warning that it will not be
 * shown again (the gateway keeps it sealed and never answers it later).
 */
export function SecretDialog({ secret, onClose }: { secret: string | null; onClose: () => void }) {
  const t = useT();
  return (
    <Modal
      open={secret !== null}
      title={t("webhooks.secret.title")}
      closable={false}
      maskClosable={false}
      destroyOnClose
      footer={
        <Button type="primary" onClick={onClose} data-testid="webhook-secret-close">
          {t("webhooks.secret.done")}
        </Button>
      }
    >
      <Alert type="warning" showIcon message={t("webhooks.secret.once")} style={{ marginBottom: 12 }} />
      <Typography.Paragraph>{t("webhooks.secret.use")}</Typography.Paragraph>
      <Typography.Paragraph code copyable={{ text: secret ?? "" }} data-testid="webhook-secret" style={{ wordBreak: "break-all" }}>
        {secret}
      </Typography.Paragraph>
    </Modal>
  );
}
