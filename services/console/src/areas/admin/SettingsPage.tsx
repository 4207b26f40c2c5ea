import { App, Button, Card, Col, Form, Input, Row, Select, Space, Typography } from "antd";
import { DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { api, unwrap } from "../../api/client";
import { useSession } from "../../auth/session";
import { ErrorState } from "../../components/ErrorState";
import { useI18n } from "../../i18n/I18n";
import { formatDateTime } from "../../lib/dates";
import { applyProblem } from "../../lib/forms";
import { minorToDecimal, toMinor } from "../quotes/money";
import { PageHead } from "./shared";

/** regions are the phone regions the services read national numbers of (libs/phone). */
const regions = ["CA", "CN", "DE", "GB", "US"] as const;
type Region = (typeof regions)[number];

/** ContactSettings sets the region of contacts' national phone numbers (GET|PUT /v1/settings). */
function ContactSettings() {
  const { t, locale } = useI18n();
  const { can } = useSession();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<{ defaultRegion: Region }>();
  const q = useQuery({ queryKey: ["admin", "settings", "contacts"], queryFn: () => unwrap(api.GET("/v1/settings")) });
  useEffect(() => { if (q.data) form.setFieldsValue({ defaultRegion: q.data.defaultRegion as Region }); }, [q.data, form]);
  const save = useMutation({
    mutationFn: (v: { defaultRegion: Region }) => unwrap(api.PUT("/v1/settings", { body: v })),
    onSuccess: (s) => { qc.setQueryData(["admin", "settings", "contacts"], s); message.success(t("admin.saved")); },
    onError: (err) => { const rest = applyProblem(form, err); if (rest) message.error(rest); },
  });
  if (q.isError) return <ErrorState error={q.error} onRetry={() => q.refetch()} />;
  return (
    <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("admin.settings.contacts")}</h2>} loading={q.isLoading}>
      <Form form={form} name="contact-settings" layout="vertical" disabled={!can("contacts:admin")} onFinish={(v) => save.mutate(v)}>
        <Form.Item name="defaultRegion" label={t("admin.settings.region")} extra={t("admin.settings.regionHelp")}>
          <Select data-testid="contacts-region" options={regions.map((r) => ({ value: r, label: t(`admin.region.${r}`) }))} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="contacts-settings-save">
          {t("action.save")}
        </Button>
      </Form>
      {q.data && <Typography.Paragraph type="secondary" style={{ marginTop: 12 }}>{t("admin.settings.updated", { when: formatDateTime(q.data.updatedAt, locale) })}</Typography.Paragraph>}
    </Card>
  );
}

/** LeadSettings sets the region of leads' national phone numbers, or none (GET|PUT /v1/lead-settings). */
function LeadSettings() {
  const { t } = useI18n();
  const { can } = useSession();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<{ defaultRegion: string }>();
  const q = useQuery({ queryKey: ["admin", "settings", "leads"], queryFn: () => unwrap(api.GET("/v1/lead-settings")) });
  useEffect(() => { if (q.data) form.setFieldsValue({ defaultRegion: q.data.defaultRegion }); }, [q.data, form]);
  const save = useMutation({
    mutationFn: (v: { defaultRegion: string }) => unwrap(api.PUT("/v1/lead-settings", { body: { defaultRegion: v.defaultRegion ?? "" } })),
    onSuccess: (s) => { qc.setQueryData(["admin", "settings", "leads"], s); message.success(t("admin.saved")); },
    onError: (err) => { const rest = applyProblem(form, err); if (rest) message.error(rest); },
  });
  if (q.isError) return <ErrorState error={q.error} onRetry={() => q.refetch()} />;
  return (
    <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("admin.settings.leads")}</h2>} loading={q.isLoading}>
      <Form form={form} name="lead-settings" layout="vertical" disabled={!can("sales:admin")} onFinish={(v) => save.mutate(v)}>
        <Form.Item name="defaultRegion" label={t("admin.settings.region")} extra={t("admin.settings.leadRegionHelp")}>
          <Select data-testid="leads-region" options={[{ value: "", label: t("admin.settings.international") }, ...regions.map((r) => ({ value: r, label: t(`admin.region.${r}`) }))]} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="leads-settings-save">
          {t("action.save")}
        </Button>
      </Form>
    </Card>
  );
}

/** exponent is the number of minor-unit digits of currency (2 for CNY, 0 for JPY). */
function exponent(currency: string): number {
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** QuoteForm is the quote approval settings as the form holds them: totals as rows in major units. */
interface QuoteForm {
  discountPercent?: string;
  secondLevelDiscountPercent?: string;
  totals: { currency: string; approval?: string; secondLevel?: string }[];
}

/**
 * QuoteSettings edits when a quote needs approval (GET|PUT
 * /v1/quotes/settings): a line's discount above a percent, and per
 * currency a total above an amount, for one level or two. Amounts are
 * typed in the currency's major units and sent as exact minor units.
 */
function QuoteSettings() {
  const { t } = useI18n();
  const { can } = useSession();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<QuoteForm>();
  const q = useQuery({ queryKey: ["admin", "settings", "quotes"], queryFn: () => unwrap(api.GET("/v1/quotes/settings")) });
  useEffect(() => {
    if (!q.data) return;
    const major = (v: number | undefined, cur: string) => (v === undefined ? undefined : minorToDecimal(v, exponent(cur)));
    form.setFieldsValue({
      discountPercent: q.data.discountPercent,
      secondLevelDiscountPercent: q.data.secondLevelDiscountPercent,
      totals: Object.entries(q.data.totals).map(([currency, th]) => ({ currency, approval: major(th.approval, currency), secondLevel: major(th.secondLevel, currency) })),
    });
  }, [q.data, form]);
  const save = useMutation({
    mutationFn: (f: QuoteForm) => {
      const totals: Record<string, { approval?: number; secondLevel?: number }> = {};
      const bad: { name: ["totals", number, "approval" | "secondLevel"]; errors: string[] }[] = [];
      (f.totals ?? []).forEach((row, i) => {
        const cur = (row.currency ?? "").trim().toUpperCase();
        const minor = (v: string | undefined, key: "approval" | "secondLevel") => {
          if (!v?.trim()) return undefined;
          const m = toMinor(v, exponent(cur));
          if (m === null) bad.push({ name: ["totals", i, key], errors: [t("admin.settings.badAmount")] });
          return m === null ? undefined : Number(m);
        };
        totals[cur] = { approval: minor(row.approval, "approval"), secondLevel: minor(row.secondLevel, "secondLevel") };
      });
      if (bad.length > 0) {
        form.setFields(bad);
        return Promise.reject(new Error(t("admin.settings.badAmount")));
      }
      return unwrap(api.PUT("/v1/quotes/settings", { body: { discountPercent: f.discountPercent || undefined, secondLevelDiscountPercent: f.secondLevelDiscountPercent || undefined, totals } }));
    },
    onSuccess: (s) => { qc.setQueryData(["admin", "settings", "quotes"], s); message.success(t("admin.saved")); },
    onError: (err) => { const rest = applyProblem(form, err); if (rest) message.error(rest); },
  });
  if (q.isError) return <ErrorState error={q.error} onRetry={() => q.refetch()} />;
  return (
    <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("admin.settings.quotes")}</h2>} loading={q.isLoading}>
      <Form form={form} name="quote-settings" layout="vertical" disabled={!can("sales:admin")} onFinish={(f) => save.mutate(f)}>
        <Space wrap>
          <Form.Item name="discountPercent" label={t("admin.settings.discount")}>
            <Input addonAfter="%" style={{ width: 160 }} autoComplete="off" />
          </Form.Item>
          <Form.Item name="secondLevelDiscountPercent" label={t("admin.settings.discount2")}>
            <Input addonAfter="%" style={{ width: 160 }} autoComplete="off" />
          </Form.Item>
        </Space>
        <Form.List name="totals">
          {(items, { add, remove }) => (
            <fieldset style={{ border: 0, padding: 0, margin: 0 }}>
              <legend style={{ fontSize: 14, border: 0, marginBottom: 8 }}>{t("admin.settings.totals")}</legend>
              {items.map((it, i) => (
                <Space key={it.key} wrap align="baseline">
                  <Form.Item name={[it.name, "currency"]} label={t("admin.settings.currency", { n: i + 1 })} rules={[{ required: true, pattern: /^[A-Za-z]{3}$/, message: t("admin.settings.badCurrency") }]}>
                    <Input style={{ width: 90 }} maxLength={3} autoComplete="off" />
                  </Form.Item>
                  <Form.Item name={[it.name, "approval"]} label={t("admin.settings.oneLevel", { n: i + 1 })}>
                    <Input style={{ width: 150 }} autoComplete="off" inputMode="decimal" />
                  </Form.Item>
                  <Form.Item name={[it.name, "secondLevel"]} label={t("admin.settings.twoLevels", { n: i + 1 })}>
                    <Input style={{ width: 150 }} autoComplete="off" inputMode="decimal" />
                  </Form.Item>
                  <Button icon={<DeleteOutlined />} onClick={() => remove(it.name)} aria-label={t("admin.settings.removeTotal", { n: i + 1 })} />
                </Space>
              ))}
              <Button icon={<PlusOutlined />} onClick={() => add({ currency: "", approval: "", secondLevel: "" })} style={{ marginBottom: 16 }}>
                {t("admin.settings.addTotal")}
              </Button>
            </fieldset>
          )}
        </Form.List>
        <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="quote-settings-save">
          {t("action.save")}
        </Button>
      </Form>
    </Card>
  );
}

/**
 * SettingsPage holds the tenant's settings: the phone region of contacts
 * and of leads, and when a quote needs approval (discounts, and totals per
 * currency).
 */
export default function SettingsPage() {
  const { t } = useI18n();
  return (
    <div data-testid="page-admin-settings">
      <PageHead title={t("admin.settings.title")} />
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <ContactSettings />
        </Col>
        <Col xs={24} lg={12}>
          <LeadSettings />
        </Col>
        <Col xs={24}>
          <QuoteSettings />
        </Col>
      </Row>
    </div>
  );
}
