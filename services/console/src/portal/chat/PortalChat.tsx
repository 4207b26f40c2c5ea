import { Alert, Button, Card, Form, Input, Space, Tag, Typography } from "antd";
import { useEffect, useRef, useState } from "react";
import { Composer } from "../../components/chat/Composer";
import { Conversation } from "../../components/chat/Conversation";
import { chatProtocol, issueKind, type ChatMessage } from "../../lib/chat";
import { useChatSocket } from "../../lib/useChatSocket";
import { visitorState, type VisitorState } from "./state";

/** Visitor is who the visitor says they are when they start. */
interface Visitor {
  name: string;
  email: string;
}

/** stateColors are the Tags' colours of the states. */
const stateColors: Record<VisitorState, string> = {
  connecting: "default",
  waiting: "#874d00",
  connected: "#237804",
  retrying: "#874d00",
  lost: "#a8071a",
  ended: "default",
};

/** fieldKeys are the texts of the start's fields the service refuses. */
const fieldKeys: Record<string, string> = { name: "portal.chat.nameRequired", email: "portal.chat.emailInvalid" };

/** time formats a message's time in the page's language. */
function time(iso: string): string {
  return new Date(iso).toLocaleTimeString(document.documentElement.lang || undefined, { hour: "2-digit", minute: "2-digit" });
}

/**
 * PortalChat is the portal's chat widget: the visitor gives their name and
 * email, then chats with an agent over the visitor's socket at
 * `${apiBase}/chat`, seeing whether they wait for an agent, are connected
 * or the chat ended. The visitor's socket closing ends its chat on the
 * server, so a lost one offers a new chat rather than coming back.
 */
export default function PortalChat({ apiBase, t }: { apiBase: string; t: (key: string) => string }) {
  const [form] = Form.useForm<Visitor>();
  const [visitor, setVisitor] = useState<Visitor | null>(null);
  const who = useRef<Visitor | null>(null);
  const chat = useChatSocket({
    side: "visitor",
    path: visitor ? `${apiBase}/chat` : null,
    protocols: async () => [chatProtocol],
    resumable: false,
    onOpen: (send) => {
      if (who.current) send({ type: "start", ...who.current });
    },
  });
  const s = chat.state;
  const state = visitorState(s);
  useEffect(() => {
    if (!s.session && s.issue?.fields?.length)
      form.setFields(s.issue.fields.map((f) => ({ name: f.field as keyof Visitor, errors: [t(fieldKeys[f.field] ?? "portal.chat.issue.other")] })));
  }, [s.session, s.issue, form, t]);

  const start = (v: Visitor) => {
    who.current = { name: v.name.trim(), email: v.email.trim() };
    if (!visitor) setVisitor(who.current);
    else if (s.phase === "open" && !s.session) chat.send({ type: "start", ...who.current });
    else chat.reconnect(true);
  };
  const author = (m: ChatMessage) => (m.authorType === "visitor" ? t("portal.chat.you") : m.authorName || t("portal.chat.agent"));
  const started = s.session !== undefined;

  return (
    <Card title={t("portal.chat.title")} data-testid="portal-chat" styles={{ body: { padding: 12 } }}>
      {!started && (
        <Form form={form} layout="vertical" onFinish={start} requiredMark={false} style={{ maxWidth: 420 }}>
          <Typography.Paragraph>{t("portal.chat.intro")}</Typography.Paragraph>
          <Form.Item name="name" label={t("portal.chat.name")} rules={[{ required: true, whitespace: true, message: t("portal.chat.nameRequired") }]}>
            <Input autoComplete="name" maxLength={200} data-testid="chat-name" />
          </Form.Item>
          <Form.Item name="email" label={t("portal.chat.email")} rules={[{ required: true, type: "email", message: t("portal.chat.emailInvalid") }]}>
            <Input type="email" autoComplete="email" maxLength={254} data-testid="chat-email" />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={visitor !== null && (state === "connecting" || state === "retrying")} data-testid="chat-start">
            {t("portal.chat.start")}
          </Button>
        </Form>
      )}
      {(started || state === "lost") && (
        <Space direction="vertical" style={{ width: "100%", marginTop: started ? 0 : 12 }}>
          <Space wrap style={{ justifyContent: "space-between", width: "100%" }}>
            <Tag color={stateColors[state]} role="status" data-testid="chat-state" data-state={state}>
              {t(`portal.chat.state.${state}`)}
            </Tag>
            {started && state !== "ended" && state !== "lost" && (
              <Button onClick={() => chat.send({ type: "end" })} disabled={s.phase !== "open"} data-testid="chat-end">
                {t("portal.chat.end")}
              </Button>
            )}
            {(state === "ended" || state === "lost") && (
              <Button type="primary" onClick={() => chat.reconnect(true)} data-testid="chat-again">
                {started ? t("portal.chat.again") : t("portal.chat.reconnect")}
              </Button>
            )}
          </Space>
          {started && (
            <>
              <Conversation
                messages={s.messages}
                side="visitor"
                author={author}
                time={time}
                label={t("portal.chat.conversation")}
                empty={t("portal.chat.empty")}
                pending={s.pending}
              />
              {s.issue && <Alert type="warning" showIcon message={t(`portal.chat.issue.${issueKind(s.issue)}`)} data-testid="chat-issue" />}
              {state === "lost" && s.draft && <Alert type="info" showIcon message={t("portal.chat.kept")} />}
              <Composer
                value={s.draft}
                onChange={chat.type}
                onSend={chat.sendDraft}
                disabled={s.phase !== "open"}
                sending={s.pending !== null}
                labels={{ message: t("portal.chat.message"), placeholder: t("portal.chat.placeholder"), send: t("portal.chat.send") }}
              />
            </>
          )}
        </Space>
      )}
    </Card>
  );
}
