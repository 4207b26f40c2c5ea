import { useQuery } from "@tanstack/react-query";
import { Alert, Card, Descriptions, Space, Tag, Typography } from "antd";
import { useState } from "react";
import { api, unwrap } from "../../api/client";
import { useI18n } from "../../i18n/I18n";
import { marketingKey, type Template } from "./api";
import { ContactPicker } from "./ContactPicker";

/**
 * TemplatePreviewCard renders the saved template for a contact of the
 * audience chosen here (POST /v1/templates/{id}/preview): the subject, the
 * HTML in a sandboxed frame (no script, no navigation) and the text, or
 * the SMS with its segment count; fields with no value and no default are
 * listed, since such a template cannot be sent to that contact.
 */
export function TemplatePreviewCard({ template }: { template: Template }) {
  const { t } = useI18n();
  const [contactId, setContactId] = useState<string | undefined>();
  const preview = useQuery({
    queryKey: marketingKey("templates", template.id, "preview", template.version, contactId),
    enabled: !!contactId,
    retry: false,
    queryFn: () => unwrap(api.POST("/v1/templates/{id}/preview", { params: { path: { id: template.id } }, body: { contactId: contactId! } })),
  });
  const p = preview.data;
  return (
    <Card title={t("marketing.template.preview")} data-testid="template-preview">
      <Space direction="vertical" style={{ width: "100%" }}>
        <label htmlFor="preview-contact">{t("marketing.template.previewFor")}</label>
        <ContactPicker id="preview-contact" label={t("marketing.template.previewFor")} value={contactId} onChange={setContactId} />
        {preview.isError && <Alert type="error" showIcon message={preview.error instanceof Error ? preview.error.message : String(preview.error)} />}
        {p && p.unresolved.length > 0 && (
          <Alert type="warning" showIcon message={t("marketing.template.unresolved", { fields: p.unresolved.join(", ") })} data-testid="preview-unresolved" />
        )}
        {p && template.channel === "email" && (
          <>
            <Descriptions size="small" column={1} items={[{ key: "subject", label: t("marketing.template.subject"), children: <span data-testid="preview-subject">{p.subject}</span> }]} />
            <iframe
              title={t("marketing.template.previewHtml")}
              sandbox=""
              srcDoc={p.html}
              style={{ width: "100%", minHeight: 320, border: "1px solid #d9d9d9", borderRadius: 6, background: "#fff" }}
              data-testid="preview-html"
            />
            {p.text && (
              <Typography.Paragraph style={{ whiteSpace: "pre-wrap" }} data-testid="preview-text">
                {p.text}
              </Typography.Paragraph>
            )}
          </>
        )}
        {p && template.channel === "sms" && (
          <>
            <Typography.Paragraph style={{ whiteSpace: "pre-wrap" }} data-testid="preview-body">
              {p.body}
            </Typography.Paragraph>
            <Space>
              <Tag data-testid="preview-segments">{t("marketing.template.segments", { n: p.smsSegments })}</Tag>
              <Tag>{p.smsEncoding}</Tag>
            </Space>
          </>
        )}
      </Space>
    </Card>
  );
}
