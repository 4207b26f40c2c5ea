import { Button, Card, Col, Descriptions, List, Row, Space, Tag, Typography } from "antd";
import { EditOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState, type ReactNode } from "react";
import { Link, useNavigate, useParams } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import { ErrorState } from "../../components/ErrorState";
import { useSession } from "../../auth/session";
import { useI18n } from "../../i18n/I18n";
import { formatMinor } from "../../lib/money";
import { rememberRecord } from "../../lib/recent";
import { useCustomFields, type Account, type AnyRecord, type Contact, type Entity } from "./api";
import { cell, customValue, type CellContext } from "./cells";
import { basePath, recordName } from "./entities";
import { Duplicates } from "./Merge";
import { QuickActions } from "./QuickActions";
import { RecordForm } from "./RecordForm";
import { Timeline } from "./Timeline";

type Address = NonNullable<Contact["address"]>;

/** addressText writes an address on one line. */
function addressText(a?: Address): string {
  return a ? [a.street, a.postalCode, a.city, a.region, a.country].filter(Boolean).join(", ") : "";
}

/** fieldRows are the record's standard fields as label and value, all as text. */
function fieldRows(entity: Entity, r: AnyRecord, ctx: CellContext, account?: Account): [string, ReactNode][] {
  const { t } = ctx;
  if (entity === "account") {
    const a = r as Account;
    return [
      ["name", a.name], ["domain", a.domain], ["industry", a.industry], ["sizeBand", a.sizeBand], ["annualRevenue", cell("annualRevenue", a, ctx)],
      ["parentAccountId", a.parentAccountId ? <Link to={`/accounts/${a.parentAccountId}`}>{t("contacts.account")}</Link> : null],
      ["ownerId", cell("ownerId", a, ctx)], ["teamId", a.teamId], ["billingAddress", addressText(a.billingAddress)], ["shippingAddress", addressText(a.shippingAddress)],
      ["lastActivityAt", cell("lastActivityAt", a, ctx)], ["createdAt", cell("createdAt", a, ctx)], ["updatedAt", cell("updatedAt", a, ctx)],
    ];
  }
  const c = r as Contact;
  const consent = (["email", "sms", "phone"] as const).map((ch) => (c.consent?.[ch] ? `${t(`contacts.consent.${ch}`)}: ${t(`contacts.consent.${c.consent[ch]!.status}`)}` : "")).filter(Boolean).join(" · ");
  return [
    ["displayName", c.displayName], ["firstName", c.firstName], ["lastName", c.lastName],
    ["emails", (c.emails ?? []).map((e) => <div key={e.address}>{e.address}{e.label ? ` (${e.label})` : ""}</div>)],
    ["phones", (c.phones ?? []).map((p) => <div key={p.number}>{p.e164 || p.number}{p.label ? ` (${p.label})` : ""}</div>)],
    ["jobTitle", c.jobTitle], ["accountId", c.accountId ? <Link to={`/accounts/${c.accountId}`}>{account?.name ?? t("contacts.account")}</Link> : null],
    ["ownerId", cell("ownerId", c, ctx)], ["teamId", c.teamId], ["lifecycleStage", cell("lifecycleStage", c, ctx)], ["source", c.source],
    ["address", addressText(c.address)], ["consent", consent],
    ["lastActivityAt", cell("lastActivityAt", c, ctx)], ["createdAt", cell("createdAt", c, ctx)], ["updatedAt", cell("updatedAt", c, ctx)],
  ];
}

/**
 * RecordPage is the 360° page of a contact or an account: every field,
 * custom fields and tags, related records, duplicates with a merge, and
 * the timeline with quick actions. A merged record's address leads to the
 * record it was merged into.
 */
export function RecordPage({ entity }: { entity: Entity }) {
  const { t, locale } = useI18n();
  const { can } = useSession();
  const { id = "" } = useParams();
  const nav = useNavigate();
  const [editing, setEditing] = useState(false);
  const custom = useCustomFields(entity);
  const q = useQuery({
    queryKey: [entity, id],
    queryFn: (): Promise<AnyRecord> =>
      entity === "contact" ? unwrap(api.GET("/v1/contacts/{id}", { params: { path: { id } } })) : unwrap(api.GET("/v1/accounts/{id}", { params: { path: { id } } })),
  });
  const r = q.data;
  useEffect(() => {
    if (!r) return;
    if (r.id !== id) nav(`${basePath(entity)}/${r.id}`, { replace: true });
    else rememberRecord({ type: entity, id: r.id, label: recordName(r), path: `${basePath(entity)}/${r.id}` });
  }, [r, id, entity, nav]);
  const accountId = entity === "contact" ? (r as Contact | undefined)?.accountId : undefined;
  const account = useQuery({
    queryKey: ["account", accountId],
    enabled: !!accountId,
    queryFn: () => unwrap(api.GET("/v1/accounts/{id}", { params: { path: { id: accountId! } } })),
  });
  const contacts = useQuery({
    queryKey: ["contacts", "of-account", id],
    enabled: entity === "account",
    queryFn: () => unwrap(api.GET("/v1/contacts", { params: { query: { filter: JSON.stringify({ field: "accountId", op: "eq", value: id }), sort: "displayName", limit: 50 } } })),
  });
  const deals = useQuery({
    queryKey: ["opportunities", "of-account", id],
    enabled: entity === "account" && can("sales:read"),
    queryFn: () => unwrap(api.GET("/v1/opportunities", { params: { query: { accountId: id, limit: 20 } } })),
  });
  if (q.isError) return <ErrorState error={q.error} onRetry={() => q.refetch()} />;
  if (!r) return <Card loading data-testid={`page-${entity}`} />;
  const defs = custom.data?.items ?? [];
  const ctx: CellContext = { t, locale, custom: defs };
  return (
    <div data-testid={`page-${entity}`}>
      <Space style={{ width: "100%", justifyContent: "space-between", marginBottom: 12 }} wrap>
        <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }} data-testid="record-name">
          {recordName(r)}
        </Typography.Title>
        <Button icon={<EditOutlined />} onClick={() => setEditing(true)} data-testid="edit">
          {t("action.edit")}
        </Button>
      </Space>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={10}>
          <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("contacts.details")}</h2>} size="small">
            <Descriptions column={1} size="small" items={fieldRows(entity, r, ctx, account.data).map(([k, v]) => ({ key: k, label: t(`contacts.field.${k}`), children: v }))} />
            <Space size={[0, 4]} wrap style={{ marginTop: 8 }} aria-label={t("contacts.field.tags")}>
              {(r.tags ?? []).map((x) => <Tag key={x}>{x}</Tag>)}
            </Space>
          </Card>
          {defs.length > 0 && (
            <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("contacts.customFields")}</h2>} size="small" style={{ marginTop: 16 }} data-testid="custom-fields">
              <Descriptions column={1} size="small" items={defs.map((d) => ({ key: d.key, label: d.label, children: customValue(d, r.customFields?.[d.key], ctx) }))} />
            </Card>
          )}
          {entity === "account" && (
            <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("contacts.title")}</h2>} size="small" style={{ marginTop: 16 }} data-testid="account-contacts">
              <List size="small" loading={contacts.isLoading} dataSource={contacts.data?.items ?? []} locale={{ emptyText: <Typography.Text>{t("contacts.none")}</Typography.Text> }}
                renderItem={(c) => <List.Item><Link to={`/contacts/${c.id}`}>{c.displayName}</Link></List.Item>} />
            </Card>
          )}
          {entity === "account" && can("sales:read") && (
            <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("contacts.opportunities")}</h2>} size="small" style={{ marginTop: 16 }} data-testid="account-opportunities">
              {deals.isError ? (
                <ErrorState error={deals.error} onRetry={() => deals.refetch()} />
              ) : (
                <List size="small" loading={deals.isLoading} dataSource={deals.data?.items ?? []} locale={{ emptyText: <Typography.Text>{t("contacts.noOpportunities")}</Typography.Text> }}
                  renderItem={(o) => (
                    <List.Item extra={o.amount ? formatMinor(o.amount.minor, o.amount.currency, locale) : null}>
                      <Link to={`/opportunities/${o.id}`}>{o.name}</Link> <Tag>{t(`contacts.dealStatus.${o.status}`)}</Tag>
                    </List.Item>
                  )} />
              )}
            </Card>
          )}
          <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("contacts.dups.title")}</h2>} size="small" style={{ marginTop: 16 }}>
            <Duplicates entity={entity} record={r} />
          </Card>
        </Col>
        <Col xs={24} lg={14}>
          <Card size="small" title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("contacts.quick.title")}</h2>}>
            <QuickActions entity={entity} id={r.id} />
          </Card>
          <Card size="small" title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("contacts.timeline.title")}</h2>} style={{ marginTop: 16 }}>
            <Timeline entity={entity} id={r.id} />
          </Card>
        </Col>
      </Row>
      {editing && <RecordForm entity={entity} record={r} onClose={() => setEditing(false)} onSaved={() => q.refetch()} />}
    </div>
  );
}

/** ContactRecord is a contact's 360° page. */
export function ContactRecord() {
  return <RecordPage entity="contact" />;
}

/** AccountRecord is an account's 360° page. */
export function AccountRecord() {
  return <RecordPage entity="account" />;
}
