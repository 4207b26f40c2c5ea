import { LockOutlined, PaperClipOutlined } from "@ant-design/icons";
import { useInfiniteQuery } from "@tanstack/react-query";
import { App, Button, Card, Empty, Space, Tag, Typography } from "antd";
import { useState } from "react";
import { api, unwrap } from "../../api/client";
import type { components } from "../../api/schema";
import { useSession } from "../../auth/session";
import { ErrorState } from "../../components/ErrorState";
import { useI18n } from "../../i18n/I18n";
import { formatDateTime } from "../../lib/dates";
import { downloadWithToken } from "../../lib/download";
import { PersonName } from "../../lib/people";
import { formatSize } from "./size";
import { SplitDialog } from "./SplitDialog";

/** Entry is a reply or note of a case's thread. */
export type Entry = components["schemas"]["CaseEntry"];

/** threadKey is the query key of a case's thread. */
export const threadKey = (caseId: string) => ["support", "cases", "thread", caseId];

/** entryStyles set public replies and internal notes apart (a note is amber, with a lock). */
const entryStyles = {
  reply: { borderLeft: "4px solid #1d39c4" },
  note: { borderLeft: "4px solid #ad6800", background: "#fffbe6" },
};

/** Author names who wrote an entry: the agent, the customer's name or address, or the system. */
function Author({ e }: { e: Entry }) {
  const { t } = useI18n();
  if (e.authorType === "agent" && e.authorId) return <PersonName id={e.authorId} />;
  if (e.authorType === "customer") return <>{e.authorName || e.authorEmail || t("support.thread.customer")}</>;
  return <>{t("support.thread.system")}</>;
}

/**
 * Thread is a case's replies and internal notes, oldest first (more read
 * as asked): notes styled apart from public replies, attachments
 * downloaded with the user's token, and a reply split into a new case.
 */
export function Thread({ caseId }: { caseId: string }) {
  const { t, locale } = useI18n();
  const { can } = useSession();
  const { message } = App.useApp();
  const [splitting, setSplitting] = useState<Entry | null>(null);
  const thread = useInfiniteQuery({
    queryKey: threadKey(caseId),
    initialPageParam: "",
    queryFn: ({ pageParam }) => unwrap(api.GET("/v1/cases/{id}/entries", { params: { path: { id: caseId }, query: { limit: 100, cursor: pageParam || undefined } } })),
    getNextPageParam: (last) => last.nextCursor,
  });
  if (thread.isError) return <ErrorState error={thread.error} onRetry={() => thread.refetch()} />;
  const entries = thread.data?.pages.flatMap((p) => p.items) ?? [];
  const download = (e: Entry, a: Entry["attachments"][number]) =>
    downloadWithToken(api.GET("/v1/cases/{id}/attachments/{attachmentId}", { params: { path: { id: e.caseId, attachmentId: a.id } }, parseAs: "blob" }), a.name).catch((err: unknown) =>
      message.error(err instanceof Error ? err.message : String(err)),
    );
  return (
    <section aria-label={t("support.thread.title")} data-testid="case-thread">
      <h2 style={{ fontSize: 16, margin: "0 0 8px" }}>{t("support.thread.title")}</h2>
      {thread.isLoading && <Card loading size="small" />}
      {!thread.isLoading && entries.length === 0 && <Empty description={t("support.thread.empty")} />}
      <Space direction="vertical" style={{ width: "100%" }}>
        {entries.map((e) => (
          <Card key={e.id} size="small" style={entryStyles[e.kind]} data-testid="thread-entry" data-kind={e.kind}>
            <Space wrap size={4} style={{ marginBottom: 4 }}>
              <Typography.Text strong>
                <Author e={e} />
              </Typography.Text>
              {e.kind === "note" ? (
                <Tag color="#874d00" icon={<LockOutlined />}>
                  {t("support.thread.note")}
                </Tag>
              ) : (
                <Tag>{t("support.thread.reply")}</Tag>
              )}
              <Typography.Text type="secondary">
                {t(`support.channel.${e.channel}`)} · {formatDateTime(e.createdAt, locale)}
              </Typography.Text>
            </Space>
            <Typography.Paragraph style={{ whiteSpace: "pre-wrap", marginBottom: 4 }} data-testid="entry-body">
              {e.bodyText}
            </Typography.Paragraph>
            {e.attachments.length > 0 && (
              <Space wrap size={4}>
                {e.attachments.map((a) => (
                  <Button key={a.id} size="small" icon={<PaperClipOutlined />} onClick={() => download(e, a)} data-testid="entry-attachment">
                    {a.name} ({formatSize(a.size, locale)})
                  </Button>
                ))}
              </Space>
            )}
            {can("support:write") && e.kind === "reply" && (
              <div style={{ textAlign: "right" }}>
                <Button size="small" type="link" onClick={() => setSplitting(e)} data-testid="entry-split">
                  {t("support.split.action")}
                </Button>
              </div>
            )}
          </Card>
        ))}
      </Space>
      {thread.hasNextPage && (
        <Button onClick={() => thread.fetchNextPage()} loading={thread.isFetchingNextPage} style={{ marginTop: 8 }}>
          {t("support.thread.more")}
        </Button>
      )}
      {splitting && <SplitDialog entry={splitting} onClose={() => setSplitting(null)} />}
    </section>
  );
}
