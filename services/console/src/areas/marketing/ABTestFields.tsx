import { DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { Button, Card, Form, Input, InputNumber, Radio, Select, Space, Switch } from "antd";
import { useI18n } from "../../i18n/I18n";
import { confidences, type ABValues } from "./abtest";
import type { Send, Template } from "./api";

/**
 * ABTestFields are the send wizard's optional A/B test, under the form's
 * abTest: 2 to 4 variants differing in their template or (email) their
 * subject, the share of recipients tested, the metric, the deadline and
 * the confidence a significant winner needs. The fields are named as the
 * API names them (abTest/variants/1/subject), so its problems land on them.
 */
export function ABTestFields({ value, channel, templates }: { value?: ABValues; channel: Send["channel"]; templates: Template[] }) {
  const { t } = useI18n();
  const kind = channel === "sms" ? "template" : (value?.kind ?? "template");
  const required = [{ required: true, message: t("marketing.required") }];
  // A Select's rule is a validator: a required rule sets aria-required on the Select's box, which its role does not allow.
  const chosen = [{ validator: (_: unknown, x: unknown) => (x ? Promise.resolve() : Promise.reject(new Error(t("marketing.required")))) }];
  return (
    <Card size="small" title={t("marketing.ab.title")} style={{ marginBottom: 16 }} data-testid="ab-fields">
      <Form.Item name={["abTest", "enabled"]} label={t("marketing.ab.enable")} valuePropName="checked">
        <Switch data-testid="ab-enable" />
      </Form.Item>
      {value?.enabled && (
        <>
          {channel === "email" && (
            <Form.Item name={["abTest", "kind"]} label={t("marketing.ab.kind")}>
              <Radio.Group data-testid="ab-kind">
                <Radio value="template">{t("marketing.ab.kind.template")}</Radio>
                <Radio value="subject">{t("marketing.ab.kind.subject")}</Radio>
              </Radio.Group>
            </Form.Item>
          )}
          <Form.List name={["abTest", "variants"]}>
            {(rows, { add, remove }) => (
              <>
                {rows.map((row, i) => {
                  const label = t("marketing.ab.variantNamed", { name: String.fromCharCode(65 + i) });
                  return (
                    <Space key={row.key} align="start" wrap>
                      {kind === "template" ? (
                        <Form.Item name={[row.name, "templateId"]} label={label} rules={chosen} style={{ minWidth: 260 }}>
                          <Select
                            aria-label={label}
                            showSearch
                            optionFilterProp="label"
                            options={templates.filter((x) => x.channel === channel).map((x) => ({ value: x.id, label: x.name }))}
                          />
                        </Form.Item>
                      ) : (
                        <Form.Item name={[row.name, "subject"]} label={label} rules={required} style={{ minWidth: 320 }}>
                          <Input maxLength={998} />
                        </Form.Item>
                      )}
                      {rows.length > 2 && (
                        <Button icon={<DeleteOutlined />} aria-label={t("marketing.ab.removeVariant", { name: String.fromCharCode(65 + i) })} onClick={() => remove(row.name)} style={{ marginTop: 30 }} />
                      )}
                    </Space>
                  );
                })}
                {rows.length < 4 && (
                  <Form.Item>
                    <Button icon={<PlusOutlined />} onClick={() => add({})} data-testid="ab-add-variant">
                      {t("marketing.ab.addVariant")}
                    </Button>
                  </Form.Item>
                )}
              </>
            )}
          </Form.List>
          <Space wrap align="start">
            <Form.Item name={["abTest", "testShare"]} label={t("marketing.ab.testShare")} rules={required}>
              <InputNumber min={1} max={100} addonAfter="%" />
            </Form.Item>
            {channel === "email" && (
              <Form.Item name={["abTest", "metric"]} label={t("marketing.ab.metric")}>
                <Radio.Group>
                  <Radio value="open">{t("marketing.ab.metric.open")}</Radio>
                  <Radio value="click">{t("marketing.ab.metric.click")}</Radio>
                </Radio.Group>
              </Form.Item>
            )}
            <Form.Item name={["abTest", "decideAt"]} label={t("marketing.ab.decideAt")} rules={required} extra={t("marketing.ab.decideAtHelp")}>
              <Input type="datetime-local" />
            </Form.Item>
            <Form.Item name={["abTest", "minConfidence"]} label={t("marketing.ab.minConfidence")}>
              <Select aria-label={t("marketing.ab.minConfidence")} style={{ minWidth: 100 }} options={confidences.map((c) => ({ value: c, label: `${c * 100}%` }))} />
            </Form.Item>
          </Space>
        </>
      )}
    </Card>
  );
}
