import { PlusOutlined } from "@ant-design/icons";
import { Button, Input, Segmented, Select, Space, Tag, Typography } from "antd";
import { useState } from "react";
import { useNavigate } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import { useSession } from "../../auth/session";
import { PagedList } from "../../components/PagedList";
import { useI18n } from "../../i18n/I18n";
import { PersonName } from "../../lib/people";
import { usePagedQuery } from "../../lib/usePagedQuery";
import { caseStatuses, casePriorities, priorityColors, statusColors, type Case, type CasePriority, type CaseStatus } from "./api";
import { NewCaseDialog } from "./NewCaseDialog";
import { useQueues } from "./queues";
import { SlaClock } from "./SlaClock";

/** Scope is whose cases the list shows. */
type Scope = "queue" | "mine" | "all";

/**
 * CasesPage is the agent's queue view: the cases being worked by SLA due
 * (view=queue; the clock red when overdue, amber within the warning), or
 * every case newest first; filtered by status, priority, queue and
 * assignee (my cases), searched by number or subject; and the new case dialog.
 */
export default function CasesPage() {
  const { t } = useI18n();
  const { can } = useSession();
  const nav = useNavigate();
  const [scope, setScope] = useState<Scope>("queue");
  const [status, setStatus] = useState<CaseStatus[]>([]);
  const [priority, setPriority] = useState<CasePriority | undefined>();
  const [queueId, setQueueId] = useState<string | undefined>();
  const queues = useQueues();
  const [q, setQ] = useState("");
  const [creating, setCreating] = useState(false);
  const query = {
    view: scope === "all" ? undefined : "queue",
    assigneeId: scope === "mine" ? "me" : undefined,
    status: status.length ? status.join(",") : undefined,
    priority,
    queueId,
    q: q || undefined,
    limit: 50,
  };
  const paged = usePagedQuery(["support", "cases", "list", query], (cursor) => unwrap(api.GET("/v1/cases", { params: { query: { ...query, cursor } } })));
  const { pages } = paged;
  const change = <V,>(set: (v: V) => void) => (v: V) => {
    set(v);
    pages.reset();
  };
  const statusTag = (c: Case) => (
    <Tag color={statusColors[c.status]} data-testid="case-status" data-status={c.status}>
      {t(`support.status.${c.status}`)}
    </Tag>
  );
  const priorityTag = (c: Case) => <Tag color={priorityColors[c.priority]}>{t(`support.priority.${c.priority}`)}</Tag>;
  return (
    <div data-testid="page-cases">
      <Space style={{ width: "100%", justifyContent: "space-between", flexWrap: "wrap", marginBottom: 12 }}>
        <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
          {t("support.cases.title")}
        </Typography.Title>
        {can("support:write") && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="case-new">
            {t("support.cases.new")}
          </Button>
        )}
      </Space>
      <Space wrap style={{ marginBottom: 12 }}>
        <Segmented<Scope>
          aria-label={t("support.cases.scope")}
          value={scope}
          onChange={change(setScope)}
          options={[
            { value: "queue", label: t("support.cases.queue") },
            { value: "mine", label: t("support.cases.mine") },
            { value: "all", label: t("support.cases.all") },
          ]}
          data-testid="cases-scope"
        />
        <Input.Search
          allowClear
          aria-label={t("support.cases.search")}
          placeholder={t("support.cases.search")}
          onSearch={change((v: string) => setQ(v.trim()))}
          style={{ width: 240 }}
          data-testid="cases-search"
        />
        <Select
          mode="multiple"
          allowClear
          aria-label={t("support.case.status")}
          placeholder={t("support.case.status")}
          value={status}
          onChange={change(setStatus)}
          options={caseStatuses.map((s) => ({ value: s, label: t(`support.status.${s}`) }))}
          style={{ minWidth: 180 }}
          data-testid="cases-status"
        />
        <Select
          allowClear
          aria-label={t("support.case.priority")}
          placeholder={t("support.case.priority")}
          value={priority}
          onChange={change(setPriority)}
          options={casePriorities.map((p) => ({ value: p, label: t(`support.priority.${p}`) }))}
          style={{ minWidth: 140 }}
          data-testid="cases-priority"
        />
        {queues.options.length > 0 && (
          <Select
            allowClear
            aria-label={t("support.case.queue")}
            placeholder={t("support.case.queue")}
            value={queueId}
            onChange={change(setQueueId)}
            options={queues.options}
            style={{ minWidth: 160 }}
            data-testid="cases-queue"
          />
        )}
      </Space>
      <PagedList<Case>
        paged={paged}
        rowKey="id"
        caption={t("support.cases.title")}
        onOpen={(c) => nav(`/cases/${c.id}`)}
        columns={[
          { title: t("support.case.number"), key: "number", render: (_: unknown, c: Case) => `#${c.number}` },
          { title: t("support.case.subject"), dataIndex: "subject" },
          { title: t("support.case.status"), key: "status", render: (_: unknown, c: Case) => statusTag(c) },
          { title: t("support.case.priority"), key: "priority", render: (_: unknown, c: Case) => priorityTag(c) },
          { title: t("support.case.queue"), key: "queue", render: (_: unknown, c: Case) => (c.queueId ? queues.name(c.queueId) : "") },
          { title: t("support.case.assignee"), key: "assignee", render: (_: unknown, c: Case) => (c.assigneeId ? <PersonName id={c.assigneeId} /> : t("support.case.unassigned")) },
          { title: t("support.case.slaDue"), key: "sla", render: (_: unknown, c: Case) => <SlaClock dueAt={c.slaDueAt} /> },
        ]}
        card={(c) => (
          <Space direction="vertical" size={2} style={{ width: "100%" }}>
            <Space style={{ justifyContent: "space-between", width: "100%" }}>
              <Typography.Text strong>#{c.number}</Typography.Text>
              <SlaClock dueAt={c.slaDueAt} />
            </Space>
            <Typography.Text>{c.subject}</Typography.Text>
            <Space size={4} wrap>
              {statusTag(c)}
              {priorityTag(c)}
            </Space>
          </Space>
        )}
      />
      {creating && <NewCaseDialog onClose={() => setCreating(false)} onCreated={(c) => nav(`/cases/${c.id}`)} />}
    </div>
  );
}
