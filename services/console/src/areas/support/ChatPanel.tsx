import { ArrowLeftOutlined, LinkOutlined } from "@ant-design/icons";
import { useMutation } from "@tanstack/react-query";
import { Alert, App, Button, Card, Popconfirm, Space, Tag, Typography } from "antd";
import { useEffect } from "react";
import { Link } from "react-router-dom";
import { api, refreshSession, unwrap } from "../../api/client";
import { getAccessToken } from "../../auth/token";
import { Composer } from "../../components/chat/Composer";
import { Conversation } from "../../components/chat/Conversation";
import { useI18n } from "../../i18n/I18n";
import { bearerProtocol, chatProtocol, issueKind, type ChatMessage, type ChatSession, type Phase } from "../../lib/chat";
import { PersonName } from "../../lib/people";
import { useChatSocket } from "../../lib/useChatSocket";

/** phaseColors are the Tags' colours of a socket's phases. */
const phaseColors: Record<Phase, string> = {
  connecting: "default",
  open: "#237804",
  retrying: "#874d00",
  lost: "#a8071a",
  ended: "default",
};

/**
 * agentProtocols are the agent socket's subprotocols: the chat's and the
 * access token (a browser cannot set a WebSocket's headers; the gateway
 * takes it from there). After an attempt refused before it opened, the
 * session is renewed first, as the token may have expired.
 */
async function agentProtocols(refused: boolean): Promise<string[]> {
  if (refused) await refreshSession();
  return [chatProtocol, bearerProtocol(getAccessToken() ?? "")];
}

/**
 * ChatPanel is one of the agent's chats: the visitor, the link to its case,
 * the conversation over the agent's socket with its state, the reply box
 * and End. onEnded tells the desk the chat is over; onClose puts it away.
 */
export function ChatPanel({ session, me, onEnded, onClose }: { session: ChatSession; me: string; onEnded: () => void; onClose: () => void }) {
  const { t, locale } = useI18n();
  const { message } = App.useApp();
  const chat = useChatSocket({ side: "agent", path: `/v1/chats/${session.id}/ws`, protocols: agentProtocols, resumable: true });
  const s = chat.state;
  const end = useMutation({
    mutationFn: () => unwrap(api.POST("/v1/chats/{id}/end", { params: { path: { id: session.id } } })),
    onError: (err) => message.error(err instanceof Error ? err.message : String(err)),
  });
  const ended = s.phase === "ended";
  useEffect(() => {
    if (ended) onEnded();
  }, [ended, onEnded]);
  const author = (m: ChatMessage) => {
    if (m.authorType === "visitor") return session.visitorName;
    if (m.authorId === me) return t("support.chats.you");
    return m.authorId ? <PersonName id={m.authorId} /> : "";
  };
  const time = (iso: string) => new Date(iso).toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" });
  return (
    <Card
      size="small"
      data-testid="chat-panel"
      title={
        <Space wrap size={4}>
          <Button type="text" icon={<ArrowLeftOutlined />} onClick={onClose} aria-label={t("support.chats.back")} />
          <Typography.Text strong>{session.visitorName}</Typography.Text>
          <Typography.Text type="secondary">{session.visitorEmail}</Typography.Text>
        </Space>
      }
      extra={
        <Link to={`/cases/${session.caseId}`} data-testid="chat-case">
          <LinkOutlined /> {t("support.chats.case")}
        </Link>
      }
    >
      <Space direction="vertical" style={{ width: "100%" }}>
        <Space wrap style={{ justifyContent: "space-between", width: "100%" }}>
          <Tag color={phaseColors[s.phase]} role="status" data-testid="chat-state" data-state={s.phase}>
            {t(`support.chats.state.${s.phase}`)}
          </Tag>
          {s.phase === "lost" && (
            <Button onClick={() => chat.reconnect(false)} data-testid="chat-reconnect">
              {t("support.chats.reconnect")}
            </Button>
          )}
          {!ended && (
            <Popconfirm title={t("support.chats.endConfirm")} onConfirm={() => end.mutate()} okText={t("support.chats.end")}>
              <Button danger loading={end.isPending} data-testid="chat-end">
                {t("support.chats.end")}
              </Button>
            </Popconfirm>
          )}
          {ended && (
            <Button onClick={onClose} data-testid="chat-close">
              {t("support.chats.close")}
            </Button>
          )}
        </Space>
        <Conversation
          messages={s.messages}
          side="agent"
          author={author}
          time={time}
          label={t("support.chats.conversation", { name: session.visitorName })}
          empty={t("support.chats.empty")}
          pending={s.pending}
        />
        {s.issue && <Alert type="warning" showIcon message={t(`support.chats.issue.${issueKind(s.issue)}`)} data-testid="chat-issue" />}
        {(s.phase === "lost" || s.phase === "retrying") && s.draft && <Alert type="info" showIcon message={t("support.chats.kept")} />}
        {!ended && (
          <Composer
            value={s.draft}
            onChange={chat.type}
            onSend={chat.sendDraft}
            disabled={s.phase !== "open"}
            sending={s.pending !== null}
            labels={{ message: t("support.chats.message"), placeholder: t("support.chats.placeholder"), send: t("support.chats.send") }}
          />
        )}
      </Space>
    </Card>
  );
}
