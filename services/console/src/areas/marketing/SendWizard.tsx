import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, Button, Card, Descriptions, Form, Input, Radio, Select, Space, Steps } from "antd";
import { useState } from "react";
import { useNavigate } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import { isApiError } from "../../api/problem";
import { useI18n } from "../../i18n/I18n";
import { formatDateTime, formatNumber } from "../../lib/dates";
import { applyProblem } from "../../lib/forms";
import { abDefaults, abTestBody, type ABValues } from "./abtest";
import { ABTestFields } from "./ABTestFields";
import { marketingKey } from "./api";
import { PageTitle } from "./PageTitle";
import { scheduledAt, wizardStep } from "./sends";

/** WizardValues are the send wizard's fields. */
interface WizardValues {
  templateId?: string;
  segmentId?: string;
  campaignId?: string;
  when: "now" | "later";
  scheduledAt?: string;
  utm?: { source?: string; medium?: string; campaign?: string; content?: string };
  abTest?: ABValues;
}

/** stepFields are the fields each step checks before the next. */
const stepFields: (keyof WizardValues)[][] = [["templateId"], ["segmentId"], ["when", "scheduledAt", "abTest"]];

/**
 * SendWizard sends a template to a segment or list: the template, the
 * recipients, now or at a time, then a review; the send made opens on its
 * page, which shows its counts and exclusions as they come.
 */
export default function SendWizard() {
  const { t, locale } = useI18n();
  const nav = useNavigate();
  const qc = useQueryClient();
  const [form] = Form.useForm<WizardValues>();
  const [step, setStep] = useState(0);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const v = Form.useWatch([], form) as WizardValues | undefined;
  const templates = useQuery({ queryKey: marketingKey("templates", "all"), queryFn: () => unwrap(api.GET("/v1/templates", { params: { query: { limit: 200 } } })) });
  const segments = useQuery({ queryKey: marketingKey("segments", "all"), queryFn: () => unwrap(api.GET("/v1/segments", { params: { query: { limit: 200 } } })) });
  const campaigns = useQuery({ queryKey: marketingKey("campaigns", "parents"), queryFn: () => unwrap(api.GET("/v1/campaigns", { params: { query: { limit: 200 } } })) });
  const chosen = { validator: (_: unknown, x: unknown) => (x ? Promise.resolve() : Promise.reject(new Error(t("marketing.required")))) };
  const template = templates.data?.items.find((x) => x.id === v?.templateId);
  const segment = segments.data?.items.find((x) => x.id === v?.segmentId);
  const campaign = campaigns.data?.items.find((x) => x.id === v?.campaignId);

  const next = async () => {
    try {
      await form.validateFields(stepFields[step], { recursive: true });
      setStep(step + 1);
    } catch {
      // the form shows what is missing under each field
    }
  };
  const create = async () => {
    const all = form.getFieldsValue(true) as WizardValues;
    if (!template || !all.segmentId) return;
    setError("");
    setBusy(true);
    try {
      const utm = Object.fromEntries(Object.entries(all.utm ?? {}).filter(([, x]) => x && x.trim() !== ""));
      const made = await unwrap(
        api.POST("/v1/sends", {
          body: {
            templateId: template.id,
            channel: template.channel,
            segmentId: all.segmentId,
            campaignId: all.campaignId || undefined,
            scheduledAt: all.when === "later" ? scheduledAt(all.scheduledAt) : undefined,
            utm: Object.keys(utm).length > 0 ? utm : undefined,
            abTest: abTestBody(all.abTest, template.channel),
          },
        }),
      );
      qc.invalidateQueries({ queryKey: marketingKey("sends") });
      nav(`/marketing/sends/${made.id}`, { replace: true });
    } catch (err) {
      setError(applyProblem(form, err));
      const first = isApiError(err) ? err.fields[0]?.field : undefined;
      if (first !== undefined) setStep(wizardStep(first));
    } finally {
      setBusy(false);
    }
  };
  // Turning the A/B test on makes the send's template its variant A.
  const abFirstVariant = (changed: Partial<WizardValues>) => {
    if (changed.abTest?.enabled && !form.getFieldValue(["abTest", "variants", 0, "templateId"])) form.setFieldValue(["abTest", "variants", 0, "templateId"], form.getFieldValue("templateId"));
  };
  const steps = [t("marketing.send.stepTemplate"), t("marketing.send.stepRecipients"), t("marketing.send.stepWhen"), t("marketing.send.stepReview")];
  return (
    <div data-testid="page-send-new">
      <PageTitle title={t("marketing.sends.new")} />
      <Card>
        <Steps current={step} items={steps.map((title) => ({ title }))} style={{ marginBottom: 24 }} responsive />
        <Form<WizardValues> form={form} name="send" layout="vertical" initialValues={{ when: "now", abTest: abDefaults() }} preserve onValuesChange={abFirstVariant}>
          <div hidden={step !== 0}>
            <Form.Item name="templateId" label={t("marketing.send.template")} rules={[chosen]}>
              <Select
                aria-label={t("marketing.send.template")}
                showSearch
                optionFilterProp="label"
                loading={templates.isLoading}
                options={(templates.data?.items ?? []).map((x) => ({ value: x.id, label: `${x.name} (${t(`marketing.channel.${x.channel}`)})` }))}
              />
            </Form.Item>
            <Form.Item name="campaignId" label={t("marketing.send.campaign")}>
              <Select aria-label={t("marketing.send.campaign")} allowClear showSearch optionFilterProp="label" options={(campaigns.data?.items ?? []).map((x) => ({ value: x.id, label: x.name }))} />
            </Form.Item>
          </div>
          <div hidden={step !== 1}>
            <Form.Item name="segmentId" label={t("marketing.send.segment")} rules={[chosen]}>
              <Select
                aria-label={t("marketing.send.segment")}
                showSearch
                optionFilterProp="label"
                loading={segments.isLoading}
                options={(segments.data?.items ?? []).map((x) => ({
                  value: x.id,
                  label: `${x.name} · ${t("marketing.segment.memberCount", { n: formatNumber(x.memberCount, locale) })}`,
                }))}
              />
            </Form.Item>
          </div>
          <div hidden={step !== 2}>
            <Form.Item name="when" label={t("marketing.send.when")}>
              <Radio.Group data-testid="send-when">
                <Radio value="now">{t("marketing.send.now")}</Radio>
                <Radio value="later">{t("marketing.send.later")}</Radio>
              </Radio.Group>
            </Form.Item>
            {v?.when === "later" && (
              <Form.Item name="scheduledAt" label={t("marketing.send.scheduledAt")} rules={[{ required: true, message: t("marketing.required") }]}>
                <Input type="datetime-local" />
              </Form.Item>
            )}
            <Space wrap>
              {(["source", "medium", "campaign", "content"] as const).map((k) => (
                <Form.Item key={k} name={["utm", k]} label={t(`marketing.send.utm.${k}`)}>
                  <Input maxLength={200} />
                </Form.Item>
              ))}
            </Space>
            <ABTestFields value={v?.abTest} channel={template?.channel ?? "email"} templates={templates.data?.items ?? []} />
          </div>
        </Form>
        {step === 3 && (
          <Descriptions
            bordered
            size="small"
            column={1}
            data-testid="send-review"
            items={[
              { key: "template", label: t("marketing.send.template"), children: template ? `${template.name} (${t(`marketing.channel.${template.channel}`)})` : "" },
              { key: "segment", label: t("marketing.send.segment"), children: segment ? `${segment.name} · ${t("marketing.segment.memberCount", { n: formatNumber(segment.memberCount, locale) })}` : "" },
              { key: "campaign", label: t("marketing.send.campaign"), children: campaign?.name ?? "—" },
              ...(v?.abTest?.enabled
                ? [{ key: "ab", label: t("marketing.ab.title"), children: t("marketing.ab.summary", { n: v.abTest.variants.length, share: v.abTest.testShare, metric: t(`marketing.ab.metric.${template?.channel === "sms" ? "click" : v.abTest.metric}`) }) }]
                : []),
              { key: "when", label: t("marketing.send.when"), children: v?.when === "later" && v.scheduledAt ? formatDateTime(scheduledAt(v.scheduledAt), locale) : t("marketing.send.now") },
            ]}
          />
        )}
        {error && <Alert type="error" showIcon message={error} style={{ marginTop: 12 }} data-testid="send-error" />}
        <Space style={{ marginTop: 16 }}>
          {step > 0 && (
            <Button onClick={() => setStep(step - 1)} data-testid="send-back">
              {t("marketing.back")}
            </Button>
          )}
          {step < 3 ? (
            <Button type="primary" onClick={next} data-testid="send-next">
              {t("marketing.next")}
            </Button>
          ) : (
            <Button type="primary" onClick={create} loading={busy} data-testid="send-create">
              {t(v?.when === "later" ? "marketing.send.schedule" : "marketing.send.sendNow")}
            </Button>
          )}
        </Space>
      </Card>
    </div>
  );
}
