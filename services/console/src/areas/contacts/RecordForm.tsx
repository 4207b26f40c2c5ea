import { Alert, App, Button, Form, Input, Modal, Select, Space } from "antd";
import { MinusCircleOutlined, PlusOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import { isApiError } from "../../api/problem";
import type { components } from "../../api/schema";
import { resolveConflict } from "../../components/conflict";
import { useT } from "../../i18n/I18n";
import { applyProblem } from "../../lib/forms";
import { ifMatch, mergePatch, patchBody, useCustomFields, useTags, type Account, type AnyRecord, type Contact, type Entity } from "./api";
import { CustomFieldInputs, customFromForm, customToForm, type FormCustom } from "./customFields";
import { basePath, lifecycleStages, sizeBands } from "./entities";

type Candidate = components["schemas"]["DuplicateCandidate"];

/** Values are the form's fields of either entity. */
interface Values {
  firstName?: string;
  lastName?: string;
  emails?: { address?: string }[];
  phones?: { number?: string }[];
  jobTitle?: string;
  accountId?: string;
  lifecycleStage?: string;
  source?: string;
  name?: string;
  domain?: string;
  industry?: string;
  sizeBand?: string;
  tags?: string[];
  customFields?: FormCustom;
}

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const domainPattern = /^(?!-)[a-z0-9-]{1,63}(\.[a-z0-9-]{1,63})+$/i;

/** toValues is a record as the form shows it. */
function toValues(entity: Entity, r: AnyRecord | undefined, defs: components["schemas"]["CustomField"][]): Values {
  if (!r) return { emails: [{}], phones: [{}] };
  const base = { tags: r.tags, customFields: customToForm(r.customFields, defs) };
  if (entity === "account") {
    const a = r as Account;
    return { ...base, name: a.name, domain: a.domain, industry: a.industry, sizeBand: a.sizeBand };
  }
  const c = r as Contact;
  return {
    ...base, firstName: c.firstName, lastName: c.lastName, jobTitle: c.jobTitle, accountId: c.accountId, lifecycleStage: c.lifecycleStage, source: c.source,
    emails: c.emails?.length ? c.emails.map((e) => ({ address: e.address })) : [{}],
    phones: c.phones?.length ? c.phones.map((p) => ({ number: p.number })) : [{}],
  };
}

/**
 * toBody is the request body of the form's values: a create's fields, or a
 * merge patch of every field the form shows (emptied ones null), keeping the
 * labels and primary marks of emails and phones it does not show.
 */
function toBody(entity: Entity, v: Values, r: AnyRecord | undefined, defs: components["schemas"]["CustomField"][]): Record<string, unknown> {
  const patch = !!r;
  const text = (s?: string) => (s && s.trim() ? s.trim() : patch ? null : undefined);
  const common = { tags: v.tags ?? [], customFields: customFromForm(v.customFields, defs, patch) };
  if (entity === "account") {
    return { ...common, name: v.name?.trim(), domain: text(v.domain), industry: text(v.industry), sizeBand: v.sizeBand ?? (patch ? null : undefined) };
  }
  const c = r as Contact | undefined;
  const emails = (v.emails ?? []).map((e) => e.address?.trim()).filter((x): x is string => !!x)
    .map((address) => ({ ...c?.emails?.find((e) => e.address === address), address }));
  const phones = (v.phones ?? []).map((p) => p.number?.trim()).filter((x): x is string => !!x)
    .map((number) => {
      const { e164: _e164, ...old } = c?.phones?.find((p) => p.number === number) ?? { number };
      return { ...old, number };
    });
  return {
    ...common, firstName: text(v.firstName), lastName: text(v.lastName), jobTitle: text(v.jobTitle), source: text(v.source),
    accountId: v.accountId ?? (patch ? null : undefined), lifecycleStage: v.lifecycleStage ?? (patch ? null : undefined), emails, phones,
  };
}

/**
 * RecordForm creates a contact or an account, or edits one (a merge patch
 * with If-Match; a 412 offers to reload or overwrite). It checks what the
 * API checks before sending, shows the API's problems on their fields and
 * keeps what was typed; a record that looks like others lists them and may
 * be saved anyway.
 */
export function RecordForm({ entity, record, onClose, onSaved }: { entity: Entity; record?: AnyRecord; onClose: () => void; onSaved: (r: AnyRecord) => void }) {
  const t = useT();
  const { modal } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<Values>();
  const custom = useCustomFields(entity);
  const defs = custom.data?.items ?? [];
  const tags = useTags();
  const [error, setError] = useState("");
  const [dups, setDups] = useState<Candidate[]>([]);
  const [accountSearch, setAccountSearch] = useState("");
  const accounts = useQuery({
    queryKey: ["accounts", "pick", accountSearch],
    enabled: entity === "contact",
    queryFn: () => unwrap(api.GET("/v1/accounts", { params: { query: { q: accountSearch || undefined, limit: 20 } } })),
  });
  const save = useMutation({
    mutationFn: async ({ v, version, allowDuplicate }: { v: Values; version?: number; allowDuplicate?: boolean }) => {
      const body = toBody(entity, v, record, defs);
      const query = { allowDuplicate: allowDuplicate || undefined };
      if (!record) {
        return entity === "contact"
          ? unwrap(api.POST("/v1/contacts", { params: { query }, body: body as components["schemas"]["ContactInput"] }))
          : unwrap(api.POST("/v1/accounts", { params: { query }, body: body as components["schemas"]["AccountInput"] }));
      }
      const args = { params: { path: { id: record.id }, query, header: ifMatch(version ?? record.version) }, body: patchBody(body), headers: mergePatch };
      return entity === "contact" ? unwrap(api.PATCH("/v1/contacts/{id}", args)) : unwrap(api.PATCH("/v1/accounts/{id}", args));
    },
    onSuccess: (r) => {
      qc.invalidateQueries({ queryKey: [`${entity}s`] });
      qc.setQueryData([entity, r.id], r);
      onSaved(r);
      onClose();
    },
    onError: (err, vars) => {
      const reload = () => {
        qc.invalidateQueries({ queryKey: [entity, record?.id] });
        onClose();
      };
      const overwrite = async () => {
        const cur = entity === "contact"
          ? await unwrap(api.GET("/v1/contacts/{id}", { params: { path: { id: record!.id } } }))
          : await unwrap(api.GET("/v1/accounts/{id}", { params: { path: { id: record!.id } } }));
        save.mutate({ ...vars, version: cur.version });
      };
      if (resolveConflict(modal, t, err, reload, overwrite)) return;
      const found = isApiError(err) && err.status === 409 ? ((err.problem as { duplicates?: Candidate[] }).duplicates ?? []) : [];
      setDups(found);
      setError(found.length ? "" : applyProblem(form, err));
    },
  });
  const submit = (v: Values) => {
    setError("");
    setDups([]);
    save.mutate({ v });
  };
  const title = record ? t("action.edit") : entity === "contact" ? t("contacts.new") : t("contacts.accounts.new");
  const needsOne = () => {
    const v = form.getFieldsValue();
    const has = [v.firstName, v.lastName, ...(v.emails ?? []).map((e) => e.address), ...(v.phones ?? []).map((p) => p.number)].some((x) => x && x.trim());
    return has ? Promise.resolve() : Promise.reject(new Error(t("contacts.form.needsOne")));
  };
  return (
    <Modal open title={title} onCancel={onClose} footer={null} width={640} destroyOnClose>
      {!custom.isLoading && (
        <Form form={form} layout="vertical" initialValues={toValues(entity, record, defs)} onFinish={submit} data-testid="record-form" scrollToFirstError>
          {entity === "contact" ? (
            <>
              <Space wrap style={{ display: "flex" }}>
                <Form.Item name="lastName" label={t("contacts.field.lastName")} htmlFor="f-lastName" rules={[{ max: 200 }]}>
                  <Input id="f-lastName" data-testid="f-lastName" />
                </Form.Item>
                <Form.Item name="firstName" label={t("contacts.field.firstName")} htmlFor="f-firstName" dependencies={["lastName", "emails", "phones"]} rules={[{ validator: needsOne }]}>
                  <Input id="f-firstName" data-testid="f-firstName" />
                </Form.Item>
              </Space>
              <Form.List name="emails">
                {(items, { add, remove }) => (
                  <>
                    {items.map((f, i) => (
                      <Space key={f.key} align="baseline">
                        <Form.Item name={[f.name, "address"]} label={i === 0 ? t("contacts.field.emails") : undefined} htmlFor={`f-email-${i}`} rules={[{ pattern: emailPattern, message: t("contacts.form.email") }]}>
                          <Input id={`f-email-${i}`} aria-label={t("contacts.field.emails")} type="email" data-testid={`f-email-${i}`} />
                        </Form.Item>
                        {items.length > 1 && <Button type="text" icon={<MinusCircleOutlined />} aria-label={t("contacts.form.removeEmail")} onClick={() => remove(f.name)} />}
                      </Space>
                    ))}
                    <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({})} style={{ marginBottom: 16 }}>{t("contacts.form.addEmail")}</Button>
                  </>
                )}
              </Form.List>
              <Form.List name="phones">
                {(items, { add, remove }) => (
                  <>
                    {items.map((f, i) => (
                      <Space key={f.key} align="baseline">
                        <Form.Item name={[f.name, "number"]} label={i === 0 ? t("contacts.field.phones") : undefined} htmlFor={`f-phone-${i}`}>
                          <Input id={`f-phone-${i}`} aria-label={t("contacts.field.phones")} type="tel" />
                        </Form.Item>
                        {items.length > 1 && <Button type="text" icon={<MinusCircleOutlined />} aria-label={t("contacts.form.removePhone")} onClick={() => remove(f.name)} />}
                      </Space>
                    ))}
                    <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({})} style={{ marginBottom: 16 }}>{t("contacts.form.addPhone")}</Button>
                  </>
                )}
              </Form.List>
              <Form.Item name="jobTitle" label={t("contacts.field.jobTitle")} htmlFor="f-jobTitle">
                <Input id="f-jobTitle" />
              </Form.Item>
              <Form.Item name="accountId" label={t("contacts.field.accountId")} htmlFor="f-account">
                <Select id="f-account" showSearch allowClear filterOption={false} onSearch={setAccountSearch} loading={accounts.isFetching}
                  options={[...(accounts.data?.items ?? []).map((a) => ({ value: a.id, label: a.name }))]} />
              </Form.Item>
              <Form.Item name="lifecycleStage" label={t("contacts.field.lifecycleStage")} htmlFor="f-stage">
                <Select id="f-stage" allowClear options={lifecycleStages.map((s) => ({ value: s, label: t(`contacts.stage.${s}`) }))} />
              </Form.Item>
              <Form.Item name="source" label={t("contacts.field.source")} htmlFor="f-source">
                <Input id="f-source" />
              </Form.Item>
            </>
          ) : (
            <>
              <Form.Item name="name" label={t("contacts.field.name")} htmlFor="f-name" rules={[{ required: true, whitespace: true, message: t("contacts.required") }]}>
                <Input id="f-name" data-testid="f-name" />
              </Form.Item>
              <Form.Item name="domain" label={t("contacts.field.domain")} htmlFor="f-domain" rules={[{ pattern: domainPattern, message: t("contacts.form.domain") }]}>
                <Input id="f-domain" />
              </Form.Item>
              <Form.Item name="industry" label={t("contacts.field.industry")} htmlFor="f-industry">
                <Input id="f-industry" />
              </Form.Item>
              <Form.Item name="sizeBand" label={t("contacts.field.sizeBand")} htmlFor="f-size">
                <Select id="f-size" allowClear options={sizeBands.map((s) => ({ value: s, label: s }))} />
              </Form.Item>
            </>
          )}
          <Form.Item name="tags" label={t("contacts.field.tags")} htmlFor="f-tags">
            <Select id="f-tags" mode="tags" options={(tags.data?.items ?? []).map((x) => ({ value: x.name, label: x.name }))} />
          </Form.Item>
          <CustomFieldInputs defs={defs} t={t} />
          {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} data-testid="form-error" />}
          {dups.length > 0 && (
            <Alert type="warning" showIcon style={{ marginBottom: 12 }} message={t("contacts.form.duplicates")} data-testid="form-duplicates"
              description={<ul style={{ margin: 0, paddingInlineStart: 16 }}>{dups.map((d) => <li key={d.id}><Link to={`${basePath(entity)}/${d.id}`} onClick={onClose}>{d.displayName}</Link></li>)}</ul>}
              action={<Button size="small" onClick={() => save.mutate({ v: form.getFieldsValue(true), allowDuplicate: true })}>{t("contacts.form.saveAnyway")}</Button>} />
          )}
          <Space style={{ justifyContent: "flex-end", width: "100%" }}>
            <Button onClick={onClose}>{t("action.cancel")}</Button>
            <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="form-submit">{t("action.save")}</Button>
          </Space>
        </Form>
      )}
    </Modal>
  );
}
