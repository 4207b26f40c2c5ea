import { DatePicker, Form, Input, Select, Space, Tag, Typography } from "antd";
import type { Dayjs } from "dayjs";
import { useState } from "react";
import { api, unwrap } from "../../api/client";
import type { components } from "../../api/schema";
import { useSession } from "../../auth/session";
import { PagedList } from "../../components/PagedList";
import { useI18n } from "../../i18n/I18n";
import { formatDateTime } from "../../lib/dates";
import { usePagedQuery } from "../../lib/usePagedQuery";
import { PageHead, userLabel, useUsers } from "./shared";

type Entry = components["schemas"]["AuditEntry"];
type Kind = Entry["kind"];

const kinds: Kind[] = ["request", "read", "bulk_read", "export", "login_success", "login_failure", "token_exchange"];
const methods = ["POST", "PUT", "PATCH", "DELETE", "GET"];

/** Filters are the audit log's filters: who, what, on which resource, when. */
interface Filters {
  userId?: string;
  kind?: Kind;
  method?: string;
  path?: string;
  when?: [Dayjs | null, Dayjs | null] | null;
}

/**
 * AuditPage reads the tenant's audit log newest first, filtered by actor,
 * kind of action and method, resource (a path prefix) and time, a cursor
 * page at a time.
 */
export default function AuditPage() {
  const { t, locale } = useI18n();
  const { can } = useSession();
  const users = useUsers(can("users:read"));
  const [f, setF] = useState<Filters>({});
  const [path, setPath] = useState("");
  const query = {
    limit: 50,
    userId: f.userId,
    kind: f.kind,
    method: f.method,
    path: f.path || undefined,
    from: f.when?.[0]?.toISOString(),
    to: f.when?.[1]?.toISOString(),
  };
  const paged = usePagedQuery(["admin", "audit", query], (cursor) => unwrap(api.GET("/v1/audit", { params: { query: { ...query, cursor } } })));
  const { pages } = paged;
  const set = (x: Partial<Filters>) => { setF((old) => ({ ...old, ...x })); pages.reset(); };
  const who = (e: Entry) => (e.userId ? userLabel(users.data?.items, e.userId) : e.apiKeyId ? t("admin.audit.apiKey", { id: e.apiKeyId }) : e.subject ?? "");
  const statusTag = (e: Entry) => e.status !== undefined && <Tag>{e.status}</Tag>;

  return (
    <div data-testid="page-admin-audit">
      <PageHead title={t("admin.audit.title")} />
      <Form layout="vertical" name="audit-filters">
        <Space wrap align="end">
          <Form.Item label={t("admin.audit.actor")} htmlFor="audit-actor" style={{ marginBottom: 8 }}>
            <Select id="audit-actor" allowClear showSearch optionFilterProp="label" style={{ width: 220 }} value={f.userId} onChange={(v) => set({ userId: v })} options={(users.data?.items ?? []).map((u) => ({ value: u.id, label: u.name || u.email }))} data-testid="audit-actor" />
          </Form.Item>
          <Form.Item label={t("admin.audit.kind")} htmlFor="audit-kind" style={{ marginBottom: 8 }}>
            <Select id="audit-kind" allowClear style={{ width: 200 }} value={f.kind} onChange={(v) => set({ kind: v })} options={kinds.map((k) => ({ value: k, label: t(`admin.audit.kind.${k}`) }))} data-testid="audit-kind" />
          </Form.Item>
          <Form.Item label={t("admin.audit.method")} htmlFor="audit-method" style={{ marginBottom: 8 }}>
            <Select id="audit-method" allowClear style={{ width: 120 }} value={f.method} onChange={(v) => set({ method: v })} options={methods.map((m) => ({ value: m, label: m }))} data-testid="audit-method" />
          </Form.Item>
          <Form.Item label={t("admin.audit.resource")} htmlFor="audit-path" style={{ marginBottom: 8 }}>
            <Input.Search id="audit-path" allowClear placeholder="/v1/users" style={{ width: 240 }} value={path} onChange={(e) => setPath(e.target.value)} onSearch={(v) => set({ path: v.trim() })} enterButton={t("action.search")} data-testid="audit-path" />
          </Form.Item>
          <Form.Item label={t("admin.audit.when")} htmlFor="audit-when" style={{ marginBottom: 8 }}>
            <DatePicker.RangePicker id={{ start: "audit-when" }} showTime value={f.when ?? null} onChange={(v) => set({ when: v as Filters["when"] })} />
          </Form.Item>
        </Space>
      </Form>
      <PagedList<Entry>
        paged={paged}
        rowKey="id"
        caption={t("admin.audit.title")}
        columns={[
          { title: t("admin.audit.time"), key: "time", render: (_, e) => formatDateTime(e.time, locale) },
          { title: t("admin.audit.actor"), key: "who", render: (_, e) => who(e) },
          { title: t("admin.audit.kind"), key: "kind", render: (_, e) => t(`admin.audit.kind.${e.kind}`) },
          { title: t("admin.audit.action"), key: "action", render: (_, e) => <span data-testid="audit-action">{`${e.method ?? ""} ${e.path ?? ""}`}</span> },
          { title: t("admin.audit.status"), key: "status", render: (_, e) => statusTag(e) },
          { title: t("admin.audit.changed"), key: "changed", render: (_, e) => (e.changedFields ?? []).join(", ") },
          { title: t("admin.audit.address"), dataIndex: "clientAddr" },
        ]}
        card={(e) => (
          <Space direction="vertical" size={2} style={{ width: "100%" }}>
            <Space wrap>
              <Typography.Text strong data-testid="audit-action">{`${e.method ?? ""} ${e.path ?? ""}`}</Typography.Text>
              {statusTag(e)}
            </Space>
            <Typography.Text type="secondary">{`${formatDateTime(e.time, locale)} · ${who(e)} · ${t(`admin.audit.kind.${e.kind}`)}`}</Typography.Text>
          </Space>
        )}
      />
    </div>
  );
}
