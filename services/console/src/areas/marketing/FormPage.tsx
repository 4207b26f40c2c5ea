import { DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, AutoComplete, Button, Card, Checkbox, Col, Form, Input, Popconfirm, Radio, Row, Select, Space, Switch, Typography } from "antd";
import { useState } from "react";
import { useNavigate, useParams } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import { useSession } from "../../auth/session";
import { resolveConflict } from "../../components/conflict";
import { ErrorState } from "../../components/ErrorState";
import { useI18n } from "../../i18n/I18n";
import { applyProblem } from "../../lib/forms";
import { ifMatch, marketingKey, mergePatch, type MarketingForm } from "./api";
import { FormSnippet } from "./FormSnippet";
import { FormSubmissions } from "./FormSubmissions";
import { builderProblem, fieldTypes, formInput, formPatch, formValues, leadFields, type FormValues } from "./forms";
import { PageTitle } from "./PageTitle";

/**
 * FormPage builds a web form: a new one (/marketing/forms/new) or an
 * existing one with its snippet to paste and its submissions. Each field
 * has a key, label, type and the lead's field it fills (mapsTo); the
 * consent checkbox's text, a thank-you message or a redirect, and double
 * opt-in by email.
 */
export default function FormPage() {
  const { id } = useParams();
  const q = useQuery({ queryKey: marketingKey("forms", id), enabled: !!id, queryFn: () => unwrap(api.GET("/v1/forms/{id}", { params: { path: { id: id! } } })) });
  if (!id) return <FormBuilder key="new" />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => q.refetch()} />;
  if (!q.data) return <Card loading data-testid="page-form" />;
  return <FormBuilder key={`${q.data.id}:${q.data.version}`} stored={q.data} />;
}

/** newForm is a new form's values: an email field mapped to the lead's email, the consent box for email. */
function newForm(t: (k: string) => string): FormValues {
  return {
    name: "",
    fields: [{ key: "email", label: t("marketing.form.emailLabel"), type: "email", required: true, mapsTo: "email" }],
    consentChannel: "email",
    ending: "thankYou",
    status: "active",
  };
}

/** FormBuilder is the form of stored (none for a new one), its snippet and submissions. */
function FormBuilder({ stored }: { stored?: MarketingForm }) {
  const { t } = useI18n();
  const { can } = useSession();
  const { message, modal } = App.useApp();
  const qc = useQueryClient();
  const nav = useNavigate();
  const [form] = Form.useForm<FormValues>();
  const ending = Form.useWatch("ending", form) ?? (stored?.redirectUrl ? "redirect" : "thankYou");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const writable = can("marketing:write");
  const campaigns = useQuery({ queryKey: marketingKey("campaigns", "parents"), queryFn: () => unwrap(api.GET("/v1/campaigns", { params: { query: { limit: 200 } } })) });

  const save = async (v: FormValues, version?: number) => {
    setError("");
    setBusy(true);
    try {
      if (!stored) {
        const made = await unwrap(api.POST("/v1/forms", { body: formInput(v) }));
        qc.invalidateQueries({ queryKey: marketingKey("forms") });
        message.success(t("marketing.saved"));
        nav(`/marketing/forms/${made.id}`, { replace: true });
        return;
      }
      const next = await unwrap(
        api.PATCH("/v1/forms/{id}", { params: { path: { id: stored.id }, header: ifMatch(version ?? stored.version) }, headers: mergePatch, body: formPatch(v) as Record<string, never> }),
      );
      qc.setQueryData(marketingKey("forms", stored.id), next);
      qc.invalidateQueries({ queryKey: marketingKey("forms", "list") });
      message.success(t("marketing.saved"));
    } catch (err) {
      const reload = () => qc.invalidateQueries({ queryKey: marketingKey("forms", stored?.id) });
      const overwrite = async () => save(v, (await unwrap(api.GET("/v1/forms/{id}", { params: { path: { id: stored!.id } } }))).version);
      if (!resolveConflict(modal, t, err, reload, overwrite)) setError(applyProblem(form, builderProblem(err)));
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    try {
      await unwrap(api.DELETE("/v1/forms/{id}", { params: { path: { id: stored!.id }, header: ifMatch(stored!.version) } }));
      qc.invalidateQueries({ queryKey: marketingKey("forms") });
      nav("/marketing/forms", { replace: true });
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  const mapsTo = [...leadFields.map((f) => ({ value: f, label: t(`marketing.form.mapsTo.${f}`) })), { value: "custom:", label: t("marketing.form.mapsTo.custom") }];
  return (
    <div data-testid="page-form">
      <PageTitle title={stored ? stored.name : t("marketing.forms.new")}>
        {stored && writable && (
          <Popconfirm title={t("marketing.form.deleteConfirm")} onConfirm={remove} okText={t("marketing.delete")} cancelText={t("marketing.cancel")}>
            <Button danger data-testid="form-delete">
              {t("marketing.delete")}
            </Button>
          </Popconfirm>
        )}
      </PageTitle>
      <Card>
        <Form<FormValues> form={form} name="webform" layout="vertical" disabled={!writable} initialValues={stored ? formValues(stored) : newForm(t)} onFinish={(v) => save(v)}>
          <Row gutter={16}>
            <Col xs={24} md={12}>
              <Form.Item name="name" label={t("marketing.name")} rules={[{ required: true, whitespace: true, message: t("marketing.required") }]}>
                <Input maxLength={200} />
              </Form.Item>
            </Col>
            <Col xs={24} md={6}>
              <Form.Item name="campaignId" label={t("marketing.send.campaign")}>
                <Select aria-label={t("marketing.send.campaign")} allowClear showSearch optionFilterProp="label" options={(campaigns.data?.items ?? []).map((c) => ({ value: c.id, label: c.name }))} />
              </Form.Item>
            </Col>
            <Col xs={12} md={3}>
              <Form.Item name="language" label={t("marketing.form.language")}>
                <Select aria-label={t("marketing.form.language")} allowClear options={[{ value: "en", label: "English" }, { value: "zh", label: "简体中文" }]} />
              </Form.Item>
            </Col>
            <Col xs={12} md={3}>
              <Form.Item name="status" label={t("marketing.form.statusLabel")}>
                <Select aria-label={t("marketing.form.statusLabel")} options={(["active", "inactive"] as const).map((s) => ({ value: s, label: t(`marketing.form.status.${s}`) }))} />
              </Form.Item>
            </Col>
          </Row>
          <Typography.Title level={2} style={{ fontSize: 16 }}>
            {t("marketing.form.fields")}
          </Typography.Title>
          <Form.List name="fields">
            {(rows, { add, remove: drop }) => (
              <>
                {rows.map(({ key, name }) => (
                  <Card size="small" key={key} style={{ marginBottom: 8 }} data-testid="form-field">
                    <Row gutter={8} align="bottom">
                      <Col xs={12} md={4}>
                        <Form.Item name={[name, "key"]} label={t("marketing.form.key")} rules={[{ required: true, pattern: /^[A-Za-z][A-Za-z0-9_]{0,39}$/, message: t("marketing.form.keyRule") }]}>
                          <Input />
                        </Form.Item>
                      </Col>
                      <Col xs={12} md={6}>
                        <Form.Item name={[name, "label"]} label={t("marketing.form.label")} rules={[{ required: true, whitespace: true, message: t("marketing.required") }]}>
                          <Input maxLength={200} />
                        </Form.Item>
                      </Col>
                      <Col xs={12} md={4}>
                        <Form.Item name={[name, "type"]} label={t("marketing.form.type")}>
                          <Select aria-label={t("marketing.form.type")} options={fieldTypes.map((x) => ({ value: x, label: t(`marketing.form.type.${x}`) }))} />
                        </Form.Item>
                      </Col>
                      <Col xs={12} md={5}>
                        <Form.Item name={[name, "mapsTo"]} label={t("marketing.form.mapsTo")}>
                          <AutoComplete aria-label={t("marketing.form.mapsTo")} options={mapsTo} allowClear />
                        </Form.Item>
                      </Col>
                      <Col xs={12} md={3}>
                        <Form.Item name={[name, "required"]} valuePropName="checked">
                          <Checkbox>{t("marketing.form.required")}</Checkbox>
                        </Form.Item>
                      </Col>
                      <Col xs={12} md={2}>
                        <Form.Item>
                          <Button icon={<DeleteOutlined />} onClick={() => drop(name)} aria-label={t("marketing.form.removeField")} disabled={rows.length === 1 || !writable} />
                        </Form.Item>
                      </Col>
                      <Form.Item noStyle shouldUpdate>
                        {() =>
                          form.getFieldValue(["fields", name, "type"]) === "select" && (
                            <Col xs={24}>
                              <Form.Item name={[name, "options"]} label={t("marketing.form.options")}>
                                <Input.TextArea rows={3} />
                              </Form.Item>
                            </Col>
                          )
                        }
                      </Form.Item>
                    </Row>
                  </Card>
                ))}
                {writable && (
                  <Button icon={<PlusOutlined />} onClick={() => add({ key: "", label: "", type: "text", required: false })} disabled={rows.length >= 50} style={{ marginBottom: 16 }} data-testid="form-field-add">
                    {t("marketing.form.addField")}
                  </Button>
                )}
              </>
            )}
          </Form.List>
          <Typography.Title level={2} style={{ fontSize: 16 }}>
            {t("marketing.form.consent")}
          </Typography.Title>
          <Row gutter={16}>
            <Col xs={24} md={14}>
              <Form.Item name="consentText" label={t("marketing.form.consentText")} extra={t("marketing.form.consentHint")}>
                <Input.TextArea rows={2} />
              </Form.Item>
            </Col>
            <Col xs={12} md={5}>
              <Form.Item name="consentChannel" label={t("marketing.template.channel")}>
                <Select aria-label={t("marketing.template.channel")} options={(["email", "sms"] as const).map((c) => ({ value: c, label: t(`marketing.channel.${c}`) }))} />
              </Form.Item>
            </Col>
            <Col xs={12} md={5}>
              <Form.Item name="consentRequired" label={t("marketing.form.consentRequired")} valuePropName="checked">
                <Switch />
              </Form.Item>
            </Col>
          </Row>
          <Typography.Title level={2} style={{ fontSize: 16 }}>
            {t("marketing.form.after")}
          </Typography.Title>
          <Form.Item name="ending">
            <Radio.Group aria-label={t("marketing.form.after")}>
              <Radio value="thankYou">{t("marketing.form.thankYou")}</Radio>
              <Radio value="redirect">{t("marketing.form.redirect")}</Radio>
            </Radio.Group>
          </Form.Item>
          {ending === "redirect" ? (
            <Form.Item name="redirectUrl" label={t("marketing.form.redirectUrl")} rules={[{ required: true, type: "url", message: t("marketing.form.urlRule") }]}>
              <Input placeholder="https://" />
            </Form.Item>
          ) : (
            <Form.Item name="thankYou" label={t("marketing.form.thankYouMessage")}>
              <Input.TextArea rows={2} />
            </Form.Item>
          )}
          <Row gutter={16}>
            <Col xs={24} md={12}>
              <Form.Item name="submitLabel" label={t("marketing.form.submitLabel")}>
                <Input maxLength={100} />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name="doubleOptIn" label={t("marketing.form.doubleOptIn")} valuePropName="checked" extra={t("marketing.form.doubleOptInHint")}>
                <Switch />
              </Form.Item>
            </Col>
          </Row>
          {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} data-testid="form-error" />}
          {writable && (
            <Space>
              <Button type="primary" htmlType="submit" loading={busy} data-testid="form-save">
                {t("marketing.save")}
              </Button>
            </Space>
          )}
        </Form>
      </Card>
      {stored && <FormSnippet form={stored} />}
      {stored && <FormSubmissions form={stored} />}
    </div>
  );
}
