import { Alert, Button, Drawer, Form, Input, Select, Space, Tag, Typography } from "antd";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useNavigate } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import { CursorPager } from "../../components/CursorPager";
import { ErrorState } from "../../components/ErrorState";
import { ResponsiveList } from "../../components/ResponsiveList";
import { useI18n } from "../../i18n/I18n";
import { formatDate } from "../../lib/dates";
import { applyProblem } from "../../lib/forms";
import { personName } from "../../lib/names";
import { useCursorStack } from "../../lib/useCursorStack";
import { useIsPhone } from "../../lib/useIsPhone";
import { leadStatuses, type Lead } from "./api";
import { LeadFields, leadBody, type LeadValues } from "./LeadFields";

/** leadTitle is what names a lead: the person, else the company, else the email or phone. */
export function leadTitle(l: Lead): string {
  return personName(l) || l.company || l.email || l.phone || l.id;
}

/** LeadsPage lists the leads the user may see, searchable and filtered by status, a page at a time. */
export default function LeadsPage() {
  const { t, locale } = useI18n();
  const navigate = useNavigate();
  const phone = useIsPhone();
  const [q, setQ] = useState("");
  const [status, setStatus] = useState<Lead["status"] | undefined>();
  const [creating, setCreating] = useState(false);
  const pages = useCursorStack();
  const list = useQuery({
    queryKey: ["leads", { q, status, cursor: pages.cursor }],
    queryFn: () => unwrap(api.GET("/v1/leads", { params: { query: { q: q || undefined, status, cursor: pages.cursor || undefined, limit: 50 } } })),
    placeholderData: (prev) => prev,
  });
  return (
    <div data-testid="page-leads">
      <Space style={{ width: "100%", justifyContent: "space-between", flexWrap: "wrap" }}>
        <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }}>
          {t("sales.leads.title")}
        </Typography.Title>
        <Button type="primary" onClick={() => setCreating(true)} data-testid="lead-new">
          {t("sales.leads.new")}
        </Button>
      </Space>
      <Space wrap style={{ margin: "16px 0" }}>
        <Input.Search
          allowClear
          aria-label={t("sales.leads.search")}
          placeholder={t("sales.leads.search")}
          onSearch={(v) => {
            setQ(v.trim());
            pages.reset();
          }}
          style={{ width: phone ? 300 : 320 }}
          data-testid="lead-search"
        />
        <Select
          allowClear
          aria-label={t("sales.leads.status")}
          placeholder={t("sales.leads.status")}
          style={{ width: 180 }}
          value={status}
          onChange={(v) => {
            setStatus(v);
            pages.reset();
          }}
          options={leadStatuses.map((s) => ({ value: s, label: t(`sales.status.${s}`) }))}
          data-testid="lead-status-filter"
        />
        <Button onClick={() => navigate("/leads/import")} data-testid="lead-import">{t("imports.menu")}</Button>
      </Space>
      {list.isError ? (
        <ErrorState error={list.error} onRetry={() => list.refetch()} />
      ) : (
        <ResponsiveList<Lead>
          rowKey="id"
          caption={t("sales.leads.title")}
          loading={list.isFetching}
          data={list.data?.items ?? []}
          onOpen={(l) => navigate(`/leads/${l.id}`)}
          columns={[
            { title: t("sales.lead.name"), key: "name", render: (_, l) => <a href={`/leads/${l.id}`} onClick={(e) => e.preventDefault()}>{leadTitle(l)}</a> },
            { title: t("sales.lead.company"), dataIndex: "company" },
            { title: t("sales.lead.email"), dataIndex: "email" },
            { title: t("sales.lead.status"), key: "status", render: (_, l) => <Tag>{t(`sales.status.${l.status}`)}</Tag> },
            { title: t("sales.lead.score"), dataIndex: "score", align: "right" },
            { title: t("sales.lead.source"), dataIndex: "source" },
            { title: t("sales.lead.created"), key: "createdAt", render: (_, l) => formatDate(l.createdAt, locale) },
          ]}
          card={(l) => (
            <Space direction="vertical" size={2} style={{ width: "100%" }}>
              <Typography.Text strong>{leadTitle(l)}</Typography.Text>
              {l.company ? <Typography.Text type="secondary">{l.company}</Typography.Text> : null}
              <Space size={4} wrap>
                <Tag>{t(`sales.status.${l.status}`)}</Tag>
                <Tag color="blue">{t("sales.lead.scoreIs", { score: l.score })}</Tag>
              </Space>
            </Space>
          )}
          footer={<CursorPager hasPrev={pages.depth > 1} hasNext={!!list.data?.nextCursor} onPrev={pages.prev} onNext={() => list.data?.nextCursor && pages.next(list.data.nextCursor)} busy={list.isFetching} />}
        />
      )}
      <Drawer open={creating} onClose={() => setCreating(false)} title={t("sales.leads.new")} width={phone ? "100%" : 520} destroyOnClose>
        <NewLead onDone={(id) => navigate(`/leads/${id}`)} />
      </Drawer>
    </div>
  );
}

/** NewLead is the form that creates a lead; duplicates are reported on the new lead's page. */
function NewLead({ onDone }: { onDone: (id: string) => void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<LeadValues>();
  const [error, setError] = useState("");
  const client = useQueryClient();
  const create = useMutation({
    mutationFn: (v: LeadValues) => unwrap(api.POST("/v1/leads", { body: leadBody(v) })),
    onSuccess: (lead) => {
      client.invalidateQueries({ queryKey: ["leads"] });
      onDone(lead.id);
    },
    onError: (err) => setError(applyProblem(form, err)),
  });
  return (
    <Form form={form} name="lead" layout="vertical" onFinish={(v) => create.mutate(v)} data-testid="lead-create-form">
      {error ? <Alert type="error" message={error} style={{ marginBottom: 12 }} /> : null}
      <LeadFields />
      <Button type="primary" htmlType="submit" loading={create.isPending} data-testid="lead-create-submit">
        {t("action.create")}
      </Button>
    </Form>
  );
}
