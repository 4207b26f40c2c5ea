import { Alert, DatePicker, Form, Input, Modal, Select, Space } from "antd";
import type { Dayjs } from "dayjs";
import { useState } from "react";
import { Link } from "react-router-dom";
import { ApiError, isApiError } from "../../api/problem";
import { useT } from "../../i18n/I18n";
import { applyProblem } from "../../lib/forms";
import { currencyDigits, toMinor } from "./amount";
import type { OpportunityField, OpportunityPatch, Stage } from "./api";
import { CurrencySelect } from "./MoneyInput";
import { RecordSelect } from "./RecordSelect";

interface Values {
  amount?: string;
  currency?: string;
  closeDate?: Dayjs;
  accountId?: string;
  primaryContactId?: string;
  nextStep?: string;
  lostReason?: string;
  competitors?: string[];
}

/** onField puts a problem's errors on the form's top-level fields ("amount/minor" shows on amount). */
function onField(err: unknown): unknown {
  if (!isApiError(err)) return err;
  return new ApiError(err.status, { ...err.problem, errors: err.fields.map((f) => ({ field: f.field.split(/[/.]/)[0], reason: f.reason })) });
}

/** patchOf is the part of an opportunity's patch the form's values give. */
function patchOf(v: Values, fields: OpportunityField[]): OpportunityPatch {
  const p: OpportunityPatch = {};
  for (const f of fields) {
    switch (f) {
      case "amount": {
        const currency = v.currency ?? "CNY";
        const minor = toMinor(v.amount ?? "", currencyDigits(currency));
        if (minor !== null) p.amount = { minor, currency };
        break;
      }
      case "closeDate":
        if (v.closeDate) p.closeDate = v.closeDate.format("YYYY-MM-DD");
        break;
      case "competitors":
        p.competitors = v.competitors ?? [];
        break;
      case "accountId":
      case "primaryContactId":
      case "nextStep":
      case "lostReason":
        if (v[f]?.trim()) p[f] = v[f]?.trim();
        break;
      case "lineItems":
        break;
    }
  }
  return p;
}

/**
 * StageFieldsDialog asks for exactly the fields a stage said the
 * opportunity lacks (a move's 422) and retries the move with them; a
 * second refusal shows on the fields it names. Line items are set on the
 * opportunity's page, to which it links.
 */
export function StageFieldsDialog({ stage, fields, opportunityId, onSubmit, onCancel }: { stage: Stage; fields: OpportunityField[]; opportunityId: string; onSubmit: (patch: OpportunityPatch) => Promise<void>; onCancel: () => void }) {
  const t = useT();
  const [form] = Form.useForm<Values>();
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const has = (f: OpportunityField) => fields.includes(f);
  const required = [{ required: true, message: t("sales.form.required") }];
  const submit = async (v: Values) => {
    setBusy(true);
    setError("");
    try {
      await onSubmit(patchOf(v, fields));
    } catch (err) {
      setError(applyProblem(form, onField(err)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title={t("sales.board.needsFields", { stage: stage.name })}
      okText={t("sales.board.moveSubmit")}
      cancelText={t("action.cancel")}
      onOk={() => form.submit()}
      onCancel={onCancel}
      okButtonProps={{ loading: busy, "data-testid": "stage-fields-submit" }}
      destroyOnClose
    >
      <Form form={form} name="stage" layout="vertical" onFinish={submit} initialValues={{ currency: "CNY" }} data-testid="stage-fields-form">
        {error ? <Alert type="error" message={error} style={{ marginBottom: 12 }} data-testid="stage-fields-error" /> : null}
        {has("amount") ? (
          <Space.Compact style={{ width: "100%" }}>
            <Form.Item
              name="amount"
              label={t("sales.opp.amount")}
              style={{ flex: 1 }}
              rules={[...required, { validator: (_, s: string | undefined) => (!s || toMinor(s, currencyDigits(form.getFieldValue("currency") ?? "CNY")) !== null ? Promise.resolve() : Promise.reject(new Error(t("sales.form.badAmount")))) }]}
            >
              <Input inputMode="decimal" />
            </Form.Item>
            <Form.Item name="currency" label={t("sales.opp.currency")}>
              <CurrencySelect label={t("sales.opp.currency")} />
            </Form.Item>
          </Space.Compact>
        ) : null}
        {has("closeDate") ? (
          <Form.Item name="closeDate" label={t("sales.opp.closeDate")} rules={required}>
            <DatePicker style={{ width: "100%" }} />
          </Form.Item>
        ) : null}
        {has("accountId") ? (
          <Form.Item name="accountId" label={t("sales.opp.account")} rules={required}>
            <RecordSelect kind="account" label={t("sales.opp.account")} />
          </Form.Item>
        ) : null}
        {has("primaryContactId") ? (
          <Form.Item name="primaryContactId" label={t("sales.opp.primaryContact")} rules={required}>
            <RecordSelect kind="contact" label={t("sales.opp.primaryContact")} />
          </Form.Item>
        ) : null}
        {has("nextStep") ? (
          <Form.Item name="nextStep" label={t("sales.opp.nextStep")} rules={required}>
            <Input maxLength={1000} />
          </Form.Item>
        ) : null}
        {has("lostReason") ? (
          <Form.Item name="lostReason" label={t("sales.opp.lostReason")} rules={required}>
            <Input.TextArea maxLength={1000} autoSize />
          </Form.Item>
        ) : null}
        {has("competitors") ? (
          <Form.Item name="competitors" label={t("sales.opp.competitors")} rules={required}>
            <Select aria-label={t("sales.opp.competitors")} mode="tags" open={false} suffixIcon={null} tokenSeparators={[","]} />
          </Form.Item>
        ) : null}
        {has("lineItems") ? (
          <Alert type="info" message={t("sales.board.needsLineItems")} description={<Link to={`/opportunities/${opportunityId}`}>{t("sales.board.openOpportunity")}</Link>} />
        ) : null}
      </Form>
    </Modal>
  );
}
