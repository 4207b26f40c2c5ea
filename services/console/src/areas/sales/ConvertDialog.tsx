import { Alert, Button, Checkbox, DatePicker, Form, Input, Modal, Radio, Select, Space, Spin, Typography } from "antd";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { Dayjs } from "dayjs";
import { useMemo, useState } from "react";
import { Link } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import { isApiError } from "../../api/problem";
import type { components } from "../../api/schema";
import { useI18n } from "../../i18n/I18n";
import { applyProblem } from "../../lib/forms";
import { personName } from "../../lib/names";
import { currencyDigits, toMinor } from "./amount";
import type { Lead } from "./api";
import { leadTitle } from "./LeadsPage";
import { CurrencySelect } from "./MoneyInput";

type Conversion = components["schemas"]["Conversion"];

interface Values {
  contactChoice: "link" | "create";
  accountChoice: "link" | "create";
  allowDuplicate?: boolean;
  withOpportunity?: boolean;
  opportunity?: { name?: string; pipelineId?: string; stageId?: string; amount?: string; currency?: string; closeDate?: Dayjs };
}

/** idempotencyKey is a random key that makes a retried conversion reuse its first try. */
function idempotencyKey(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

/**
 * useMatches finds what a conversion would link: the contact whose primary
 * email is the lead's (regardless of case) and the account named exactly as
 * its company, as the sales service matches them.
 */
function useMatches(lead: Lead) {
  const email = lead.email?.trim() ?? "";
  const company = lead.company?.trim() ?? "";
  const contact = useQuery({
    queryKey: ["convert-match", "contact", email],
    enabled: email !== "",
    queryFn: async () => {
      const page = await unwrap(api.GET("/v1/contacts", { params: { query: { filter: JSON.stringify({ field: "emails", op: "startsWith", value: email }), limit: 20 } } }));
      return page.items.find((c) => (c.emails ?? []).some((e) => (e.primary ?? true) && e.address.toLowerCase() === email.toLowerCase())) ?? null;
    },
  });
  const account = useQuery({
    queryKey: ["convert-match", "account", company],
    enabled: company !== "",
    queryFn: async () => {
      const page = await unwrap(api.GET("/v1/accounts", { params: { query: { filter: JSON.stringify({ field: "name", op: "eq", value: company }), limit: 1 } } }));
      return page.items[0] ?? null;
    },
  });
  return { contact, account, company };
}

/**
 * ConvertDialog converts a lead: it shows first which contact and account
 * will be linked (those matching) or created, and the opportunity that may
 * be created with them; after converting it links to what was made.
 */
export function ConvertDialog({ lead, onClose }: { lead: Lead; onClose: () => void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<Values>();
  const [error, setError] = useState("");
  const [duplicateRefused, setDuplicateRefused] = useState(false);
  const key = useMemo(idempotencyKey, []);
  const client = useQueryClient();
  const { contact, account, company } = useMatches(lead);
  const pipelines = useQuery({ queryKey: ["pipelines"], queryFn: () => unwrap(api.GET("/v1/pipelines")) });
  const withOpportunity = Form.useWatch("withOpportunity", form);
  const pipelineId = Form.useWatch(["opportunity", "pipelineId"], form);
  const contactChoice = Form.useWatch("contactChoice", form);
  const pipeline = pipelines.data?.items.find((p) => p.id === pipelineId);
  const convert = useMutation({
    mutationFn: (v: Values) => unwrap(api.POST("/v1/leads/{id}/convert", { params: { path: { id: lead.id }, header: { "Idempotency-Key": key } }, body: convertBody(v, contact.data?.id, account.data?.id) })),
    onSuccess: (c) => {
      client.setQueryData(["lead", lead.id], c.lead);
      client.invalidateQueries({ queryKey: ["leads"] });
      client.invalidateQueries({ queryKey: ["board"] });
    },
    onError: (err) => {
      setDuplicateRefused(isApiError(err) && err.status === 409 && err.fields.some((f) => f.field === "contact"));
      setError(applyProblem(form, err));
    },
  });
  const matching = contact.isLoading || account.isLoading;
  if (convert.data) return <Converted conversion={convert.data} onClose={onClose} />;
  const who = personName(lead) || lead.email || leadTitle(lead);
  return (
    <Modal
      open
      title={t("sales.convert.title", { name: leadTitle(lead) })}
      onCancel={onClose}
      okText={t("sales.convert.submit")}
      cancelText={t("action.cancel")}
      okButtonProps={{ "data-testid": "convert-submit", loading: convert.isPending, disabled: matching }}
      onOk={() => form.submit()}
      destroyOnClose
    >
      {matching ? (
        <Spin />
      ) : (
        <Form
          form={form}
          name="convert"
          layout="vertical"
          data-testid="convert-form"
          initialValues={{
            contactChoice: contact.data ? "link" : "create",
            accountChoice: account.data ? "link" : "create",
            withOpportunity: false,
            opportunity: { name: company || who, currency: "CNY" },
          }}
          onFinish={(v) => {
            setError("");
            convert.mutate(v);
          }}
        >
          {error ? <Alert type="error" message={error} style={{ marginBottom: 12 }} data-testid="convert-error" /> : null}
          <Typography.Text strong>{t("sales.convert.contact")}</Typography.Text>
          <Form.Item name="contactChoice" style={{ marginBottom: 8 }} data-testid="convert-contact">
            <Radio.Group aria-label={t("sales.convert.contact")}>
              <Space direction="vertical">
                {contact.data ? (
                  <Radio value="link">
                    <span data-testid="convert-contact-link">{t("sales.convert.linkContact", { name: contact.data.displayName ?? "" })}</span>
                  </Radio>
                ) : null}
                <Radio value="create">
                  <span data-testid="convert-contact-create">{t("sales.convert.createContact", { name: who })}</span>
                </Radio>
              </Space>
            </Radio.Group>
          </Form.Item>
          {duplicateRefused && contactChoice === "create" ? (
            <Form.Item name="allowDuplicate" valuePropName="checked">
              <Checkbox data-testid="convert-allow-duplicate">{t("sales.convert.allowDuplicate")}</Checkbox>
            </Form.Item>
          ) : null}
          <Typography.Text strong>{t("sales.convert.account")}</Typography.Text>
          {company ? (
            <Form.Item name="accountChoice" style={{ marginBottom: 8 }} data-testid="convert-account">
              <Radio.Group aria-label={t("sales.convert.account")}>
                <Space direction="vertical">
                  {account.data ? (
                    <Radio value="link">
                      <span data-testid="convert-account-link">{t("sales.convert.linkAccount", { name: account.data.name ?? "" })}</span>
                    </Radio>
                  ) : null}
                  <Radio value="create">
                    <span data-testid="convert-account-create">{t("sales.convert.createAccount", { name: company })}</span>
                  </Radio>
                </Space>
              </Radio.Group>
            </Form.Item>
          ) : (
            <p data-testid="convert-no-account">{t("sales.convert.noAccount")}</p>
          )}
          <Form.Item name="withOpportunity" valuePropName="checked" style={{ marginBottom: 8 }}>
            <Checkbox data-testid="convert-with-opportunity">{t("sales.convert.withOpportunity")}</Checkbox>
          </Form.Item>
          {withOpportunity ? (
            <>
              <Form.Item name={["opportunity", "name"]} label={t("sales.opp.name")} rules={[{ required: true, message: t("sales.form.required") }]}>
                <Input maxLength={200} />
              </Form.Item>
              <Form.Item name={["opportunity", "pipelineId"]} label={t("sales.opp.pipeline")}>
                <Select
                 
                  aria-label={t("sales.opp.pipeline")}
                  allowClear
                  placeholder={t("sales.convert.defaultPipeline")}
                  options={pipelines.data?.items.map((p) => ({ value: p.id, label: p.name }))}
                  onChange={() => form.setFieldValue(["opportunity", "stageId"], undefined)}
                />
              </Form.Item>
              <Form.Item name={["opportunity", "stageId"]} label={t("sales.opp.stage")}>
                <Select
                 
                  aria-label={t("sales.opp.stage")}
                  allowClear
                  placeholder={t("sales.convert.firstStage")}
                  disabled={!pipeline}
                  options={pipeline?.stages.map((s) => ({ value: s.id, label: s.name }))}
                />
              </Form.Item>
              <Space.Compact style={{ width: "100%" }}>
                <Form.Item
                  name={["opportunity", "amount"]}
                  label={t("sales.opp.amount")}
                  style={{ flex: 1 }}
                  rules={[{ validator: (_, v: string | undefined) => (!v || toMinor(v, currencyDigits(form.getFieldValue(["opportunity", "currency"]) ?? "CNY")) !== null ? Promise.resolve() : Promise.reject(new Error(t("sales.form.badAmount")))) }]}
                >
                  <Input inputMode="decimal" />
                </Form.Item>
                <Form.Item name={["opportunity", "currency"]} label={t("sales.opp.currency")}>
                  <CurrencySelect label={t("sales.opp.currency")} />
                </Form.Item>
              </Space.Compact>
              <Form.Item name={["opportunity", "closeDate"]} label={t("sales.opp.closeDate")}>
                <DatePicker style={{ width: "100%" }} />
              </Form.Item>
            </>
          ) : null}
        </Form>
      )}
    </Modal>
  );
}

/** convertBody is the conversion request of the dialog's choices. */
function convertBody(v: Values, contactId: string | undefined, accountId: string | undefined): components["schemas"]["ConvertRequest"] {
  const body: components["schemas"]["ConvertRequest"] = {
    contact: v.contactChoice === "link" && contactId ? { existingId: contactId } : { create: true, allowDuplicate: v.allowDuplicate || undefined },
  };
  if (v.accountChoice === "link" && accountId) body.account = { existingId: accountId };
  else if (v.accountChoice === "create" && accountId) body.account = { create: true };
  if (v.withOpportunity && v.opportunity) {
    const o = v.opportunity;
    const currency = o.currency ?? "CNY";
    const minor = o.amount ? toMinor(o.amount, currencyDigits(currency)) : null;
    body.opportunity = {
      create: true,
      name: o.name?.trim() || undefined,
      pipelineId: o.pipelineId || undefined,
      stageId: o.stageId || undefined,
      amount: minor !== null ? { minor, currency } : undefined,
      closeDate: o.closeDate ? o.closeDate.format("YYYY-MM-DD") : undefined,
    };
  }
  return body;
}

/** Converted shows what a conversion made or linked, with links to each. */
function Converted({ conversion: c, onClose }: { conversion: Conversion; onClose: () => void }) {
  const { t } = useI18n();
  return (
    <Modal open title={t("sales.convert.done")} onCancel={onClose} transitionName="" maskTransitionName="" footer={<Button onClick={onClose}>{t("action.close")}</Button>}>
      <Space direction="vertical" data-testid="convert-result">
        <Link to={`/contacts/${c.contactId}`} data-testid="convert-go-contact">
          {t(c.contactAction === "created" ? "sales.convert.contactCreated" : "sales.convert.contactLinked")}
        </Link>
        {c.accountId ? (
          <Link to={`/accounts/${c.accountId}`} data-testid="convert-go-account">
            {t(c.accountAction === "created" ? "sales.convert.accountCreated" : "sales.convert.accountLinked")}
          </Link>
        ) : null}
        {c.opportunityId ? (
          <Link to={`/opportunities/${c.opportunityId}`} data-testid="convert-go-opportunity">
            {t("sales.convert.opportunityCreated")}
          </Link>
        ) : null}
      </Space>
    </Modal>
  );
}
