import { useQuery } from "@tanstack/react-query";
import { Descriptions, Select, Space, Tag, Typography } from "antd";
import { Link } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import { useSession } from "../../auth/session";
import { useI18n } from "../../i18n/I18n";
import { formatDateTime } from "../../lib/dates";
import { PersonName } from "../../lib/people";
import { AssigneeSelect } from "./AssigneeSelect";
import { Entitlement } from "./Entitlement";
import { casePriorities, nextStatuses, priorityColors, reopenable, statusColors, type Case, type CasePriority, type CaseStatus } from "./api";
import { useQueues } from "./queues";
import { SlaClock, useNow } from "./SlaClock";
import { useCasePatch } from "./useCasePatch";

/** ContactLink links a case's contact or account to its page, by its name when the user may read it. */
function RecordLink({ kind, id }: { kind: "contact" | "account"; id: string }) {
  const { can } = useSession();
  const rec = useQuery({
    queryKey: ["support", kind, id],
    enabled: can("contacts:read"),
    retry: false,
    queryFn: async () =>
      kind === "contact"
        ? (await unwrap(api.GET("/v1/contacts/{id}", { params: { path: { id } } }))).displayName
        : (await unwrap(api.GET("/v1/accounts/{id}", { params: { path: { id } } }))).name,
  });
  return (
    <Link to={`/${kind === "contact" ? "contacts" : "accounts"}/${id}`} data-testid={`case-${kind}`}>
      {rec.data || id}
    </Link>
  );
}

/**
 * CaseHeader is a case's title and fields: its status with the moves it
 * allows, priority, assignee and queue (changed in place, for who may
 * write), channel, contact and account (linked to their pages), the SLA due,
 * its dates, and the entitlement its account's service contract gives it.
 */
export function CaseHeader({ c }: { c: Case }) {
  const { t, locale } = useI18n();
  const { can } = useSession();
  const now = useNow();
  const settings = useQuery({ queryKey: ["support", "case-settings"], queryFn: () => unwrap(api.GET("/v1/case-settings")), staleTime: 300_000 });
  const patch = useCasePatch(c);
  const queues = useQueues();
  const writable = can("support:write") && c.status !== "closed";
  const moves = nextStatuses(c.status, reopenable(c.solvedAt, settings.data?.reopenDays ?? 7, now));
  return (
    <>
      <Space style={{ width: "100%", justifyContent: "space-between", flexWrap: "wrap", marginBottom: 12 }}>
        <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }} data-testid="case-title">
          #{c.number} · {c.subject}
        </Typography.Title>
        <Space wrap>
          <Tag color={statusColors[c.status]} data-testid="case-status" data-status={c.status}>
            {t(`support.status.${c.status}`)}
          </Tag>
          {c.accountId && <Entitlement caseId={c.id} />}
          {c.mergedInto && (
            <Link to={`/cases/${c.mergedInto}`} data-testid="case-merged-into">
              {t("support.case.mergedInto")}
            </Link>
          )}
        </Space>
      </Space>
      <Descriptions size="small" column={{ xs: 1, md: 3 }} style={{ marginBottom: 12 }} data-testid="case-fields">
        <Descriptions.Item label={t("support.case.status")}>
          {writable && moves.length > 0 ? (
            <Select<CaseStatus>
              key={c.version}
              size="small"
              aria-label={t("support.case.moveTo")}
              placeholder={t("support.case.moveTo")}
              onChange={(s) => patch.change({ status: s })}
              options={moves.map((s) => ({ value: s, label: t(`support.status.${s}`) }))}
              style={{ minWidth: 180 }}
              disabled={patch.pending}
              data-testid="case-move"
            />
          ) : (
            t(`support.status.${c.status}`)
          )}
        </Descriptions.Item>
        <Descriptions.Item label={t("support.case.priority")}>
          {writable ? (
            <Select<CasePriority>
              size="small"
              aria-label={t("support.case.priority")}
              value={c.priority}
              onChange={(p) => patch.change({ priority: p })}
              options={casePriorities.map((p) => ({ value: p, label: t(`support.priority.${p}`) }))}
              style={{ minWidth: 120 }}
              disabled={patch.pending}
              data-testid="case-priority"
            />
          ) : (
            <Tag color={priorityColors[c.priority]}>{t(`support.priority.${c.priority}`)}</Tag>
          )}
        </Descriptions.Item>
        <Descriptions.Item label={t("support.case.assignee")}>
          {writable ? <AssigneeSelect value={c.assigneeId} onChange={(v) => patch.change({ assigneeId: v })} testId="case-assignee" /> : c.assigneeId ? <PersonName id={c.assigneeId} /> : t("support.case.unassigned")}
        </Descriptions.Item>
        <Descriptions.Item label={t("support.case.slaDue")}>
          <SlaClock dueAt={c.slaDueAt} testId="case-sla-due" />
        </Descriptions.Item>
        <Descriptions.Item label={t("support.case.channel")}>{t(`support.channel.${c.channel}`)}</Descriptions.Item>
        <Descriptions.Item label={t("support.case.queue")}>
          {writable && queues.options.length > 0 ? (
            <Select
              size="small"
              allowClear
              aria-label={t("support.case.queue")}
              placeholder={t("support.case.noQueue")}
              value={c.queueId}
              onChange={(v?: string) => patch.change({ queueId: v ?? null })}
              options={queues.options}
              style={{ minWidth: 160 }}
              disabled={patch.pending}
              data-testid="case-queue"
            />
          ) : c.queueId ? (
            queues.name(c.queueId)
          ) : (
            "—"
          )}
        </Descriptions.Item>
        <Descriptions.Item label={t("support.case.contact")}>{c.contactId ? <RecordLink kind="contact" id={c.contactId} /> : "—"}</Descriptions.Item>
        <Descriptions.Item label={t("support.case.account")}>{c.accountId ? <RecordLink kind="account" id={c.accountId} /> : "—"}</Descriptions.Item>
        <Descriptions.Item label={t("support.case.type")}>{c.type || "—"}</Descriptions.Item>
        <Descriptions.Item label={t("support.case.createdAt")}>{formatDateTime(c.createdAt, locale)}</Descriptions.Item>
        {c.solvedAt && <Descriptions.Item label={t("support.case.solvedAt")}>{formatDateTime(c.solvedAt, locale)}</Descriptions.Item>}
        {c.tags.length > 0 && (
          <Descriptions.Item label={t("support.case.tags")}>
            {c.tags.map((g) => (
              <Tag key={g}>{g}</Tag>
            ))}
          </Descriptions.Item>
        )}
      </Descriptions>
    </>
  );
}
