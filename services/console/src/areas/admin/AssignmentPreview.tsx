import { Alert, Button, Card, Descriptions, Form, Input, Select, Space, Typography } from "antd";
import { useMutation } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import type { components } from "../../api/schema";
import { useI18n } from "../../i18n/I18n";
import { applyProblem } from "../../lib/forms";
import { leadRatings } from "./ruleFields";
import { userLabel, type User } from "./shared";

type Preview = components["schemas"]["LeadAssignmentPreview"];
type LeadInput = components["schemas"]["LeadInput"];

/** SampleLead is the sample lead's form: tags as a list. */
interface SampleLead {
  firstName?: string;
  lastName?: string;
  company?: string;
  email?: string;
  phone?: string;
  source?: string;
  rating?: LeadInput["rating"];
  tags?: string[];
}

/**
 * AssignmentPreview asks the sales service which rule a sample lead would
 * hit as the rules stand (POST /v1/lead-assignment-rules/preview, which
 * keeps nothing) and shows the rule, the assignee and the reason; onHit
 * tells the list which rule to mark.
 */
export function AssignmentPreview({ users, onHit }: { users: User[]; onHit: (ruleId: string | null) => void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<SampleLead>();
  const run = useMutation({
    mutationFn: (s: SampleLead) => {
      const body: LeadInput = {};
      for (const [k, v] of Object.entries(s)) if (v !== undefined && v !== "" && !(Array.isArray(v) && v.length === 0)) (body as Record<string, unknown>)[k] = v;
      return unwrap(api.POST("/v1/lead-assignment-rules/preview", { body }));
    },
    onSuccess: (p: Preview) => onHit(p.ruleId ?? null),
    onError: (err) => {
      onHit(null);
      applyProblem(form, err);
    },
  });
  const res = run.data;
  const text = (k: keyof SampleLead) => (
    <Form.Item name={k} label={t(`admin.lead.${k}`)} style={{ marginBottom: 8 }}>
      <Input autoComplete="off" data-testid={`sample-${k}`} />
    </Form.Item>
  );
  return (
    <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("admin.rules.preview")}</h2>} data-testid="rule-preview">
      <Typography.Paragraph type="secondary">{t("admin.rules.previewHelp")}</Typography.Paragraph>
      <Form form={form} name="sample" layout="vertical" onFinish={(s) => run.mutate(s)}>
        {text("source")}
        {text("company")}
        {text("firstName")}
        {text("lastName")}
        {text("email")}
        {text("phone")}
        <Form.Item name="rating" label={t("admin.lead.rating")} style={{ marginBottom: 8 }}>
          <Select allowClear options={leadRatings.map((r) => ({ value: r, label: t(`admin.lead.rating.${r}`) }))} />
        </Form.Item>
        <Form.Item name="tags" label={t("admin.lead.tags")} style={{ marginBottom: 8 }}>
          <Select mode="tags" tokenSeparators={[","]} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={run.isPending} data-testid="preview-run">
          {t("admin.rules.previewRun")}
        </Button>
      </Form>
      {run.isError && !res && <Alert style={{ marginTop: 12 }} type="error" showIcon message={run.error.message} />}
      {res && !run.isError && (
        <Descriptions column={1} size="small" style={{ marginTop: 16 }} bordered>
          <Descriptions.Item label={t("admin.rules.previewRule")}>
            <span data-testid="preview-rule">{res.ruleId ? t("admin.rules.previewHit", { n: (res.position ?? 0) + 1, name: res.ruleName ?? "" }) : t("admin.rules.previewNone")}</span>
          </Descriptions.Item>
          <Descriptions.Item label={t("admin.rules.previewOwner")}>
            <span data-testid="preview-owner">{userLabel(users, res.ownerId)}</span>
          </Descriptions.Item>
          <Descriptions.Item label={t("admin.lead.score")}>{res.score}</Descriptions.Item>
          <Descriptions.Item label={t("admin.rules.previewReason")}>
            <Space>
              <span data-testid="preview-reason">{res.reason}</span>
            </Space>
          </Descriptions.Item>
        </Descriptions>
      )}
    </Card>
  );
}
