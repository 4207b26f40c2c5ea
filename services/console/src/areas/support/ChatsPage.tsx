import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { App, Button, Card, Col, Empty, Row, Space, Typography } from "antd";
import { useCallback, useState, type ReactNode } from "react";
import { api, unwrap } from "../../api/client";
import { isApiError } from "../../api/problem";
import { useSession } from "../../auth/session";
import { ErrorState } from "../../components/ErrorState";
import { useI18n } from "../../i18n/I18n";
import type { ChatSession } from "../../lib/chat";
import { PersonName } from "../../lib/people";
import { useIsPhone } from "../../lib/useIsPhone";
import { ChatPanel } from "./ChatPanel";
import { deskGroups } from "./chats";

/** chatsKey is the query key of the open chats. */
const chatsKey = ["support", "chats"];

/** refetchEvery is how often the desk reads the open chats again (ms). */
const refetchEvery = 4000;

/** ChatItem is a chat in the desk's lists: the visitor, since when, and what the agent can do with it. */
function ChatItem({ s, action, showAgent }: { s: ChatSession; action?: ReactNode; showAgent?: boolean }) {
  const { t, locale } = useI18n();
  const since = new Date(s.acceptedAt ?? s.createdAt).toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" });
  return (
    <Card size="small" data-testid="chat-item" data-status={s.status} data-id={s.id}>
      <Space style={{ justifyContent: "space-between", width: "100%" }} wrap>
        <Space direction="vertical" size={0}>
          <Typography.Text strong>{s.visitorName}</Typography.Text>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {s.visitorEmail} · {t("support.chats.since", { time: since })}
          </Typography.Text>
          {showAgent && s.agentId && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t("support.chats.agent")}: <PersonName id={s.agentId} />
            </Typography.Text>
          )}
        </Space>
        {action}
      </Space>
    </Card>
  );
}

/** SectionProps are a list of the desk: its heading, its chats, what shows when it is empty (else it is left out) and each chat's action. */
interface SectionProps {
  title: string;
  list: ChatSession[];
  empty?: string;
  action?: (s: ChatSession) => ReactNode;
  showAgent?: boolean;
}

/** Section is one of the desk's lists under its heading. */
function Section({ title, list, empty, action, showAgent }: SectionProps) {
  if (list.length === 0 && !empty) return null;
  return (
    <section aria-label={title} style={{ marginBottom: 16 }}>
      <h2 style={{ fontSize: 16, margin: "0 0 8px" }}>
        {title} ({list.length})
      </h2>
      {list.length === 0 && <Typography.Text type="secondary">{empty}</Typography.Text>}
      <Space direction="vertical" style={{ width: "100%" }}>
        {list.map((s) => (
          <ChatItem key={s.id} s={s} action={action?.(s)} showAgent={showAgent} />
        ))}
      </Space>
    </section>
  );
}

/**
 * ChatsPage is the agents' chat desk: the waiting chats (read again every
 * few seconds) to accept, the agent's own chats to open and the others'
 * active ones; the open chat's conversation beside the lists, or instead of
 * them on a phone.
 */
export default function ChatsPage() {
  const { t } = useI18n();
  const { me, can } = useSession();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const phone = useIsPhone();
  const [open, setOpen] = useState<ChatSession | null>(null);
  const list = useQuery({ queryKey: chatsKey, queryFn: () => unwrap(api.GET("/v1/chats")), refetchInterval: refetchEvery });
  const accept = useMutation({
    mutationFn: (id: string) => unwrap(api.POST("/v1/chats/{id}/accept", { params: { path: { id } } })),
    onSuccess: (s) => setOpen(s),
    onError: (err) => {
      if (isApiError(err) && err.status === 409) message.warning(t("support.chats.taken"));
      else message.error(err instanceof Error ? err.message : String(err));
    },
    onSettled: () => qc.invalidateQueries({ queryKey: chatsKey }),
  });
  const onEnded = useCallback(() => void qc.invalidateQueries({ queryKey: chatsKey }), [qc]);
  const meID = me?.user.id ?? "";
  const groups = deskGroups(list.data?.items ?? [], meID);
  const writer = can("support:write");

  const lists = list.isError ? (
    <ErrorState error={list.error} onRetry={() => list.refetch()} />
  ) : list.isLoading ? (
    <Card loading size="small" />
  ) : (
    <>
      <Section
        title={t("support.chats.waiting")}
        list={groups.waiting}
        empty={t("support.chats.none")}
        action={(s) =>
          writer ? (
            <Button type="primary" loading={accept.isPending && accept.variables === s.id} onClick={() => accept.mutate(s.id)} data-testid="chat-accept">
              {t("support.chats.accept")}
            </Button>
          ) : null
        }
      />
      <Section
        title={t("support.chats.mine")}
        list={groups.mine}
        action={(s) => (
          <Button onClick={() => setOpen(s)} disabled={open?.id === s.id} data-testid="chat-open">
            {t("support.chats.open")}
          </Button>
        )}
      />
      <Section title={t("support.chats.others")} list={groups.others} showAgent />
    </>
  );
  const panel = open ? (
    <ChatPanel key={open.id} session={open} me={meID} onEnded={onEnded} onClose={() => setOpen(null)} />
  ) : (
    <Empty description={t("support.chats.pick")} />
  );
  return (
    <div data-testid="page-chats">
      <Typography.Title level={1} style={{ fontSize: 22, margin: "0 0 12px" }}>
        {t("support.chats.title")}
      </Typography.Title>
      {phone ? (
        open ? panel : lists
      ) : (
        <Row gutter={16}>
          <Col md={9}>{lists}</Col>
          <Col md={15}>{panel}</Col>
        </Row>
      )}
    </div>
  );
}
