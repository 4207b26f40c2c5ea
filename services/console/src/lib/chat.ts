import type { components } from "../api/schema";

// The chat's protocol (services/support/chat/socket.go): JSON text frames
// both ways over a WebSocket offering the subprotocol chatProtocol. This
// module holds its pure parts — the frames, the state of one socket and its
// reducer, the socket's URL and the wait before a reconnect — which
// useChatSocket drives, for the agents' chat desk and the portal's widget.

/** ChatMessage is a message of a chat, the server's {"type":"message"} frame carries one. */
export type ChatMessage = components["schemas"]["ChatMessage"];
/** ChatSession is a visitor's chat: its case, its status and who accepted it. */
export type ChatSession = components["schemas"]["ChatSession"];
/** ChatSide is who sends on a socket: the visitor (the portal) or the agent (the desk). */
export type ChatSide = "visitor" | "agent";

/** chatProtocol is the WebSocket subprotocol both sockets offer and the service echoes. */
export const chatProtocol = "rapport.chat.v1";

/** bearerProtocol carries the access token of the agent's socket (a browser cannot set its headers). */
export function bearerProtocol(token: string): string {
  return `rapport.bearer.${token}`;
}

/** FrameIssue is why the server refused a frame: its code, its detail and the fields it names. */
export interface FrameIssue {
  code: string;
  detail: string;
  fields?: { field: string; reason: string }[];
}

/** ClientFrame is a frame a client sends: the visitor's start, a message, the end. */
export type ClientFrame = { type: "start"; name: string; email: string } | { type: "message"; text: string } | { type: "end" };

/** ServerFrame is a frame the server sends. */
export type ServerFrame =
  | { type: "session"; session: ChatSession }
  | { type: "message"; message: ChatMessage }
  | { type: "error"; error: FrameIssue }
  | { type: "ended" };

/** isObject says whether v is a non-null object. */
function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null;
}

/** parseFrame reads a text frame of the server; null for anything that is not one of the protocol's. */
export function parseFrame(data: unknown): ServerFrame | null {
  if (typeof data !== "string") return null;
  let f: unknown;
  try {
    f = JSON.parse(data);
  } catch {
    return null;
  }
  if (!isObject(f)) return null;
  switch (f.type) {
    case "session":
      return isObject(f.session) && typeof f.session.id === "string" ? { type: "session", session: f.session as ChatSession } : null;
    case "message": {
      const m = f.message;
      return isObject(m) && typeof m.seq === "number" && typeof m.text === "string" && typeof m.authorType === "string"
        ? { type: "message", message: m as ChatMessage }
        : null;
    }
    case "error":
      return isObject(f.error) && typeof f.error.code === "string" ? { type: "error", error: f.error as unknown as FrameIssue } : null;
    case "ended":
      return { type: "ended" };
    default:
      return null;
  }
}

/**
 * Phase is where a socket is: connecting (the first time), open, retrying
 * (lost, a reconnect planned), lost (closed for good before the chat
 * ended) or ended (the chat is over).
 */
export type Phase = "connecting" | "open" | "retrying" | "lost" | "ended";

/**
 * ChatState is one socket's view of a chat: its phase, the session (the
 * visitor's, once started), the messages by their number, the text being
 * typed (draft) and the one sent but not yet seen back (pending), and the
 * last refused frame's issue.
 */
export interface ChatState {
  phase: Phase;
  side: ChatSide;
  session?: ChatSession;
  messages: ChatMessage[];
  draft: string;
  pending: string | null;
  issue?: FrameIssue;
  /** attempt counts the reconnects since the socket was last open. */
  attempt: number;
}

/** ChatEvent is what changes a ChatState: a new chat (reset), the socket's life, a frame, the composer. */
export type ChatEvent =
  | { type: "reset" }
  | { type: "connecting" }
  | { type: "open" }
  | { type: "frame"; frame: ServerFrame }
  | { type: "closed"; retry: boolean }
  | { type: "typed"; text: string }
  | { type: "sent"; text: string };

/** initialChat is the state of a socket of side before it connects. */
export function initialChat(side: ChatSide): ChatState {
  return { phase: "connecting", side, messages: [], draft: "", pending: null, attempt: 0 };
}

/** restoreDraft puts the pending text back before what is being typed, so a failed send loses nothing. */
function restoreDraft(s: ChatState): ChatState {
  if (s.pending === null) return s;
  return { ...s, draft: s.draft ? `${s.pending}\n${s.draft}` : s.pending, pending: null };
}

/** addMessage adds m in its place by number; a message seen before (a reconnect sends all again) is kept once. */
function addMessage(list: ChatMessage[], m: ChatMessage): ChatMessage[] {
  if (list.some((x) => x.seq === m.seq)) return list;
  const out = [...list, m];
  out.sort((a, b) => a.seq - b.seq);
  return out;
}

/**
 * chatReducer applies an event: a message frame adds the message once and,
 * when it is our pending text seen back, clears it; a refused frame or a
 * closed socket puts the pending text back into the draft.
 */
export function chatReducer(s: ChatState, e: ChatEvent): ChatState {
  switch (e.type) {
    case "connecting":
      return s.phase === "ended" ? s : { ...s, phase: s.phase === "retrying" ? "retrying" : "connecting" };
    case "reset":
      return { ...initialChat(s.side), draft: s.draft };
    case "open":
      return { ...s, phase: "open", attempt: 0, issue: undefined };
    case "closed": {
      const next = restoreDraft(s);
      if (s.phase === "ended") return next;
      return e.retry ? { ...next, phase: "retrying", attempt: s.attempt + 1 } : { ...next, phase: "lost" };
    }
    case "typed":
      return { ...s, draft: e.text };
    case "sent":
      return { ...s, pending: e.text.trim(), draft: "", issue: undefined };
    case "frame":
      return applyFrame(s, e.frame);
  }
}

/** applyFrame applies a server's frame to s. */
function applyFrame(s: ChatState, f: ServerFrame): ChatState {
  switch (f.type) {
    case "session":
      return { ...s, session: f.session, issue: undefined };
    case "message": {
      const mine = f.message.authorType === s.side && s.pending !== null && f.message.text === s.pending;
      return { ...s, messages: addMessage(s.messages, f.message), pending: mine ? null : s.pending };
    }
    case "error":
      return { ...restoreDraft(s), issue: f.error };
    case "ended":
      return { ...restoreDraft(s), phase: "ended" };
  }
}

/** agentJoined says whether an agent has written in the chat: the visitor's sign that someone answers. */
export function agentJoined(s: ChatState): boolean {
  return s.messages.some((m) => m.authorType === "agent");
}

/** wsURL is the WebSocket URL of path on the page's own host (wss on an https page). */
export function wsURL(path: string, loc: { protocol: string; host: string }): string {
  return `${loc.protocol === "https:" ? "wss:" : "ws:"}//${loc.host}${path}`;
}

/** maxAttempts is how many reconnects in a row a socket tries before it gives up (lost). */
export const maxAttempts = 6;

/** retryDelay is the wait in milliseconds before reconnect number attempt (from 1): doubling from a second, at most 30 s. */
export function retryDelay(attempt: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.max(0, attempt - 1));
}

/** IssueKind is a refused frame's issue as the chat's pages say it. */
export type IssueKind = "tooLong" | "rateLimited" | "ended" | "other";

/** issueKind names the issue of a refused frame by its code (chat/chat.go's errors). */
export function issueKind(issue: FrameIssue): IssueKind {
  switch (issue.code) {
    case "chat-message-too-long":
      return "tooLong";
    case "chat-rate-limited":
      return "rateLimited";
    case "chat-ended":
      return "ended";
    default:
      return "other";
  }
}
