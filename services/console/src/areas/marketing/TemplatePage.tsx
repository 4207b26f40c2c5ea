import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, Col, Form, Input, Popconfirm, Radio, Row, Tag, Typography } from "antd";
import { useState } from "react";
import { useNavigate, useParams } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import { useSession } from "../../auth/session";
import { resolveConflict } from "../../components/conflict";
import { ErrorState } from "../../components/ErrorState";
import { useI18n } from "../../i18n/I18n";
import { applyProblem } from "../../lib/forms";
import { ifMatch, marketingKey, mergePatch, type Template } from "./api";
import { PageTitle } from "./PageTitle";
import { smsLength } from "./sms";
import { TemplatePreviewCard } from "./TemplatePreviewCard";

/** TemplateValues are the editor's fields (named as the API names them, so problems land on them). */
interface TemplateValues {
  name: string;
  channel: Template["channel"];
  description?: string;
  subject?: string;
  html?: string;
  text?: string;
  body?: string;
}

/**
 * TemplatePage writes an email or SMS template: a new one
 * (/marketing/templates/new) or an existing one, whose rendering for a
 * chosen contact is previewed beside it. A save the service refuses shows
 * the problem under the part it names (subject, html, text, body).
 */
export default function TemplatePage() {
  const { id } = useParams();
  const q = useQuery({ queryKey: marketingKey("templates", id), enabled: !!id, queryFn: () => unwrap(api.GET("/v1/templates/{id}", { params: { path: { id: id! } } })) });
  if (!id) return <TemplateEditor key="new" />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => q.refetch()} />;
  if (!q.data) return <Card loading data-testid="page-template" />;
  return <TemplateEditor key={`${q.data.id}:${q.data.version}`} template={q.data} />;
}

/** TemplateEditor is the form of template (none for a new one) with its preview. */
function TemplateEditor({ template }: { template?: Template }) {
  const { t } = useI18n();
  const { can } = useSession();
  const { message, modal } = App.useApp();
  const qc = useQueryClient();
  const nav = useNavigate();
  const [form] = Form.useForm<TemplateValues>();
  const channel = Form.useWatch("channel", form) ?? template?.channel ?? "email";
  const body = Form.useWatch("body", form) ?? template?.body ?? "";
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const writable = can("marketing:write");
  const length = smsLength(body);

  const save = async (v: TemplateValues, version?: number) => {
    setError("");
    setBusy(true);
    const parts = v.channel === "email" ? { subject: v.subject ?? "", html: v.html ?? "", text: v.text ?? "" } : { body: v.body ?? "" };
    try {
      if (!template) {
        const made = await unwrap(api.POST("/v1/templates", { body: { name: v.name.trim(), channel: v.channel, description: v.description ?? "", ...parts } }));
        qc.invalidateQueries({ queryKey: marketingKey("templates") });
        message.success(t("marketing.saved"));
        nav(`/marketing/templates/${made.id}`, { replace: true });
        return;
      }
      const next = await unwrap(
        api.PATCH("/v1/templates/{id}", {
          params: { path: { id: template.id }, header: ifMatch(version ?? template.version) },
          headers: mergePatch,
          body: { name: v.name.trim(), description: v.description ?? "", ...parts },
        }),
      );
      qc.setQueryData(marketingKey("templates", template.id), next);
      qc.invalidateQueries({ queryKey: marketingKey("templates", "list") });
      message.success(t("marketing.saved"));
    } catch (err) {
      const reload = () => qc.invalidateQueries({ queryKey: marketingKey("templates", template?.id) });
      const overwrite = async () => save(v, (await unwrap(api.GET("/v1/templates/{id}", { params: { path: { id: template!.id } } }))).version);
      if (!resolveConflict(modal, t, err, reload, overwrite)) setError(applyProblem(form, err));
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    try {
      await unwrap(api.DELETE("/v1/templates/{id}", { params: { path: { id: template!.id }, header: ifMatch(template!.version) } }));
      qc.invalidateQueries({ queryKey: marketingKey("templates") });
      nav("/marketing/templates", { replace: true });
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  const initial: TemplateValues = template
    ? { name: template.name, channel: template.channel, description: template.description, subject: template.subject, html: template.html, text: template.text, body: template.body }
    : { name: "", channel: "email", subject: "", html: "", text: "", body: "" };
  return (
    <div data-testid="page-template">
      <PageTitle title={template ? template.name : t("marketing.templates.new")}>
        {template && <Tag>{t(`marketing.channel.${template.channel}`)}</Tag>}
        {template && writable && (
          <Popconfirm title={t("marketing.template.deleteConfirm")} onConfirm={remove} okText={t("marketing.delete")} cancelText={t("marketing.cancel")}>
            <Button danger data-testid="template-delete">
              {t("marketing.delete")}
            </Button>
          </Popconfirm>
        )}
      </PageTitle>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={template ? 14 : 24}>
          <Card>
            <Form<TemplateValues> form={form} name="template" layout="vertical" disabled={!writable} initialValues={initial} onFinish={(v) => save(v)}>
              <Form.Item name="name" label={t("marketing.name")} rules={[{ required: true, whitespace: true, message: t("marketing.required") }]}>
                <Input maxLength={200} />
              </Form.Item>
              <Form.Item name="channel" label={t("marketing.template.channel")}>
                <Radio.Group disabled={!!template} data-testid="template-channel">
                  <Radio value="email">{t("marketing.channel.email")}</Radio>
                  <Radio value="sms">{t("marketing.channel.sms")}</Radio>
                </Radio.Group>
              </Form.Item>
              {channel === "email" ? (
                <>
                  <Form.Item name="subject" label={t("marketing.template.subject")} rules={[{ required: true, whitespace: true, message: t("marketing.required") }]}>
                    <Input maxLength={998} />
                  </Form.Item>
                  <Form.Item name="html" label={t("marketing.template.html")} extra={t("marketing.template.mergeHint")} rules={[{ required: true, whitespace: true, message: t("marketing.required") }]}>
                    <Input.TextArea rows={10} style={{ fontFamily: "monospace" }} />
                  </Form.Item>
                  <Form.Item name="text" label={t("marketing.template.text")}>
                    <Input.TextArea rows={5} />
                  </Form.Item>
                </>
              ) : (
                <Form.Item
                  name="body"
                  label={t("marketing.template.body")}
                  extra={
                    <span data-testid="sms-length" data-segments={length.segments}>
                      {t("marketing.template.smsLength", { units: length.units, encoding: length.encoding, segments: length.segments })}
                    </span>
                  }
                  rules={[{ required: true, whitespace: true, message: t("marketing.required") }]}
                >
                  <Input.TextArea rows={5} maxLength={1600} />
                </Form.Item>
              )}
              <Form.Item name="description" label={t("marketing.description")}>
                <Input.TextArea rows={2} maxLength={2000} />
              </Form.Item>
              {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} data-testid="template-error" />}
              {writable && (
                <Button type="primary" htmlType="submit" loading={busy} data-testid="template-save">
                  {t("marketing.save")}
                </Button>
              )}
              {template && <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>{t("marketing.template.previewSaved")}</Typography.Paragraph>}
            </Form>
          </Card>
        </Col>
        {template && writable && (
          <Col xs={24} xl={10}>
            <TemplatePreviewCard template={template} />
          </Col>
        )}
      </Row>
    </div>
  );
}
