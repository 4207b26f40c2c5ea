import { Card, Descriptions, Space, Tag, Typography } from "antd";
import { api, unwrap } from "../../api/client";
import { PagedList } from "../../components/PagedList";
import { useI18n } from "../../i18n/I18n";
import { formatDateTime } from "../../lib/dates";
import { usePagedQuery } from "../../lib/usePagedQuery";
import { marketingKey, type FormSubmission, type MarketingForm } from "./api";

/** submissionName is who submitted: the first and last name the submission carries, else its address. */
function submissionName(s: FormSubmission): string {
  const d = s.data as { firstName?: string; lastName?: string };
  return [d.firstName, d.lastName].filter(Boolean).join(" ") || s.email || "";
}

/** FormSubmissions lists a form's stored submissions, newest first, and the count of those refused, by reason. */
export function FormSubmissions({ form }: { form: MarketingForm }) {
  const { t, locale } = useI18n();
  const paged = usePagedQuery(marketingKey("forms", form.id, "submissions"), (cursor) =>
    unwrap(api.GET("/v1/forms/{id}/submissions", { params: { path: { id: form.id }, query: { cursor, limit: 50 } } })),
  );
  const rejections = Object.entries(form.rejections ?? {});
  const status = (s: FormSubmission) => {
    const [base, reason] = s.status.split(":");
    return <Tag>{reason ? t(`marketing.submission.rejected`, { reason }) : t(`marketing.submission.${base}`)}</Tag>;
  };
  return (
    <Card title={t("marketing.form.submissions")} style={{ marginTop: 16 }} data-testid="form-submissions">
      {rejections.length > 0 && (
        <Descriptions
          size="small"
          title={t("marketing.form.rejections")}
          column={{ xs: 1, md: 3 }}
          style={{ marginBottom: 12 }}
          items={rejections.map(([k, n]) => ({ key: k, label: t(`marketing.form.rejection.${k}`), children: n }))}
        />
      )}
      <PagedList<FormSubmission>
        paged={paged}
        rowKey="id"
        caption={t("marketing.form.submissions")}
        columns={[
          { title: t("marketing.name"), key: "name", render: (_: unknown, s: FormSubmission) => submissionName(s) },
          { title: t("marketing.field.email"), dataIndex: "email" },
          { title: t("marketing.form.statusLabel"), key: "status", render: (_: unknown, s: FormSubmission) => status(s) },
          { title: t("marketing.submission.at"), key: "at", render: (_: unknown, s: FormSubmission) => formatDateTime(s.createdAt, locale) },
        ]}
        card={(s) => (
          <Space direction="vertical" size={2}>
            <Typography.Text strong>{submissionName(s)}</Typography.Text>
            <Space size={4} wrap>
              {status(s)}
              <Typography.Text type="secondary">{formatDateTime(s.createdAt, locale)}</Typography.Text>
            </Space>
          </Space>
        )}
      />
    </Card>
  );
}
