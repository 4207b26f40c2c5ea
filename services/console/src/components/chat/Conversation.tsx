import { Typography } from "antd";
import { useEffect, useRef, type ReactNode } from "react";
import type { ChatMessage, ChatSide } from "../../lib/chat";

/** ConversationProps are a conversation's messages, whose side is the reader's, and its words. */
export interface ConversationProps {
  messages: ChatMessage[];
  /** side is the reader's: their messages are on the right. */
  side: ChatSide;
  /** author names who wrote m. */
  author: (m: ChatMessage) => ReactNode;
  /** time formats a message's time. */
  time: (iso: string) => string;
  label: string;
  empty: string;
  /** pending is the reader's message on its way (shown greyed until the server has it). */
  pending: string | null;
}

/** bubble is the style of a message; mine on the right in blue. */
function bubble(mine: boolean) {
  return {
    alignSelf: mine ? "flex-end" : "flex-start",
    maxWidth: "80%",
    background: mine ? "#e6f0ff" : "#f5f5f5",
    border: `1px solid ${mine ? "#91b4ff" : "#e5e5e5"}`,
    borderRadius: 8,
    padding: "6px 10px",
  } as const;
}

/**
 * Conversation is a chat's messages in order, the reader's on the right,
 * each text shown as typed (plain text, lines kept); the system's (the
 * end) are left to the chat's state. It scrolls to the newest message and
 * is a polite live region, so a screen reader reads what arrives.
 */
export function Conversation({ messages, side, author, time, label, empty, pending }: ConversationProps) {
  const end = useRef<HTMLDivElement>(null);
  const shown = messages.filter((m) => m.authorType !== "system");
  useEffect(() => {
    end.current?.scrollIntoView?.({ block: "end" });
  }, [shown.length, pending]);
  return (
    <div
      role="log"
      aria-live="polite"
      aria-label={label}
      data-testid="chat-log"
      style={{ display: "flex", flexDirection: "column", gap: 8, padding: 8, minHeight: 200, maxHeight: "55vh", overflowY: "auto", background: "#fff", border: "1px solid #f0f0f0", borderRadius: 8 }}
    >
      {shown.length === 0 && pending === null && <Typography.Text type="secondary">{empty}</Typography.Text>}
      {shown.map((m) => (
        <div key={m.seq} style={bubble(m.authorType === side)} data-testid="chat-message" data-author={m.authorType}>
          <Typography.Text type="secondary" style={{ fontSize: 12, display: "block" }}>
            {author(m)} · {time(m.createdAt)}
          </Typography.Text>
          <span style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>{m.text}</span>
        </div>
      ))}
      {pending !== null && (
        <div style={{ ...bubble(true), opacity: 0.6 }} data-testid="chat-pending">
          <span style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>{pending}</span>
        </div>
      )}
      <div ref={end} />
    </div>
  );
}
