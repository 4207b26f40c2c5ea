import { Col, Form, Input, Row, Select } from "antd";
import type { components } from "../../api/schema";
import { useT } from "../../i18n/I18n";
import { leadStatuses, type Lead } from "./api";

/** LeadValues are the lead form's values. */
export interface LeadValues {
  firstName?: string;
  lastName?: string;
  company?: string;
  title?: string;
  email?: string;
  phone?: string;
  source?: string;
  rating?: Lead["rating"];
  status?: Lead["status"];
  disqualifiedReason?: string;
  tags?: string[];
}

const texts = ["firstName", "lastName", "company", "title", "email", "phone", "source", "disqualifiedReason"] as const;

/** leadBody is a new lead of the form's values, without the empty ones. */
export function leadBody(v: LeadValues): components["schemas"]["LeadInput"] {
  const body: components["schemas"]["LeadInput"] = {};
  for (const k of texts) {
    const s = v[k]?.trim();
    if (s) body[k] = s;
  }
  if (v.rating) body.rating = v.rating;
  if (v.status) body.status = v.status;
  if (v.tags?.length) body.tags = v.tags;
  return body;
}

/** leadPatch is the merge patch from lead to the form's values: what changed, emptied fields as null. */
export function leadPatch(lead: Lead, v: LeadValues): components["schemas"]["LeadPatch"] {
  const patch: Record<string, unknown> = {};
  for (const k of texts) {
    const s = v[k]?.trim() ?? "";
    if (s !== (lead[k] ?? "")) patch[k] = s === "" ? null : s;
  }
  if ((v.rating ?? null) !== (lead.rating ?? null)) patch.rating = v.rating ?? null;
  if (v.status && v.status !== lead.status) patch.status = v.status;
  if (JSON.stringify(v.tags ?? []) !== JSON.stringify(lead.tags)) patch.tags = v.tags ?? [];
  return patch as components["schemas"]["LeadPatch"];
}

/** leadValues are the form's values of a lead. */
export function leadValues(l: Lead): LeadValues {
  return { ...l, tags: l.tags };
}

/** LeadFields are a lead's fields in a form (create or edit). */
export function LeadFields({ withStatus }: { withStatus?: boolean }) {
  const t = useT();
  const status = Form.useWatch<Lead["status"] | undefined>("status");
  return (
    <Row gutter={12}>
      <Col xs={24} sm={12}>
        <Form.Item name="firstName" label={t("sales.lead.firstName")}>
          <Input maxLength={200} />
        </Form.Item>
      </Col>
      <Col xs={24} sm={12}>
        <Form.Item name="lastName" label={t("sales.lead.lastName")}>
          <Input maxLength={200} />
        </Form.Item>
      </Col>
      <Col xs={24} sm={12}>
        <Form.Item name="company" label={t("sales.lead.company")}>
          <Input maxLength={200} />
        </Form.Item>
      </Col>
      <Col xs={24} sm={12}>
        <Form.Item name="title" label={t("sales.lead.jobTitle")}>
          <Input maxLength={200} />
        </Form.Item>
      </Col>
      <Col xs={24} sm={12}>
        <Form.Item name="email" label={t("sales.lead.email")}>
          <Input type="email" maxLength={254} />
        </Form.Item>
      </Col>
      <Col xs={24} sm={12}>
        <Form.Item name="phone" label={t("sales.lead.phone")}>
          <Input type="tel" maxLength={40} />
        </Form.Item>
      </Col>
      <Col xs={24} sm={12}>
        <Form.Item name="source" label={t("sales.lead.source")}>
          <Input maxLength={100} />
        </Form.Item>
      </Col>
      <Col xs={24} sm={12}>
        <Form.Item name="rating" label={t("sales.lead.rating")}>
          <Select aria-label={t("sales.lead.rating")} allowClear options={(["hot", "warm", "cold"] as const).map((r) => ({ value: r, label: t(`sales.rating.${r}`) }))} />
        </Form.Item>
      </Col>
      {withStatus ? (
        <Col xs={24} sm={12}>
          <Form.Item name="status" label={t("sales.lead.status")}>
            <Select aria-label={t("sales.lead.status")} options={leadStatuses.filter((s) => s !== "converted").map((s) => ({ value: s, label: t(`sales.status.${s}`) }))} />
          </Form.Item>
        </Col>
      ) : null}
      {status === "disqualified" ? (
        <Col xs={24}>
          <Form.Item name="disqualifiedReason" label={t("sales.lead.disqualifiedReason")}>
            <Input.TextArea maxLength={1000} autoSize />
          </Form.Item>
        </Col>
      ) : null}
      <Col xs={24}>
        <Form.Item name="tags" label={t("sales.lead.tags")}>
          <Select aria-label={t("sales.lead.tags")} mode="tags" tokenSeparators={[","]} open={false} suffixIcon={null} />
        </Form.Item>
      </Col>
    </Row>
  );
}
