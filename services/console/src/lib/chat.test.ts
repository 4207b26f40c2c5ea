import { describe, expect, it } from "vitest";
import { chatReducer, initialChat, issueKind, parseFrame, retryDelay, wsURL, type ChatEvent, type ChatMessage, type ChatState } from "./chat";

/** msg is a message numbered seq by author. */
function msg(seq: number, authorType: ChatMessage["authorType"], text: string): ChatMessage {
  return { id: `m${seq}`, sessionId: "s1", seq, authorType, text, createdAt: "2026-12-07T08:00:00Z" };
}

/** run applies events in order to a fresh state of side. */
function run(side: "visitor" | "agent", ...events: ChatEvent[]): ChatState {
  return events.reduce(chatReducer, initialChat(side));
}

const frame = (m: ChatMessage): ChatEvent => ({ type: "frame", frame: { type: "message", message: m } });

describe("parseFrame", () => {
  it("reads the server's frames", () => {
    expect(parseFrame(JSON.stringify({ type: "message", message: msg(1, "visitor", "你好") }))).toEqual({ type: "message", message: msg(1, "visitor", "你好") });
    expect(parseFrame('{"type":"ended"}')).toEqual({ type: "ended" });
    expect(parseFrame('{"type":"error","error":{"code":"chat-rate-limited","detail":"wait"}}')).toEqual({
      type: "error",
      error: { code: "chat-rate-limited", detail: "wait" },
    });
    expect(parseFrame('{"type":"session","session":{"id":"s1","caseId":"c1","status":"waiting"}}')?.type).toBe("session");
  });

  it("refuses what is not one of them", () => {
    for (const bad of ["", "not json", "[]", "null", '{"type":"hello"}', '{"type":"message"}', '{"type":"message","message":{"seq":"1","text":"x","authorType":"agent"}}', '{"type":"error","error":{}}'])
      expect(parseFrame(bad)).toBeNull();
    expect(parseFrame(new ArrayBuffer(2))).toBeNull();
  });
});

describe("chatReducer", () => {
  it("keeps each message once, in order, across a reconnect that sends them all again", () => {
    const s = run("agent", { type: "open" }, frame(msg(2, "agent", "b")), frame(msg(1, "visitor", "a")), { type: "closed", retry: true }, { type: "connecting" }, { type: "open" }, frame(msg(1, "visitor", "a")), frame(msg(2, "agent", "b")), frame(msg(3, "visitor", "c")));
    expect(s.messages.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(s.phase).toBe("open");
    expect(s.attempt).toBe(0);
  });

  it("clears the sent text once the server has the message", () => {
    let s = run("visitor", { type: "open" }, { type: "typed", text: "  my printer  " }, { type: "sent", text: "  my printer  " });
    expect(s.draft).toBe("");
    expect(s.pending).toBe("my printer");
    s = chatReducer(s, frame(msg(1, "agent", "my printer")));
    expect(s.pending).toBe("my printer"); // another side's message of the same text is not ours
    s = chatReducer(s, frame(msg(2, "visitor", "my printer")));
    expect(s.pending).toBeNull();
    expect(s.draft).toBe("");
  });

  it("gives a refused message back to the box, before what was typed since", () => {
    let s = run("agent", { type: "open" }, { type: "typed", text: "first" }, { type: "sent", text: "first" }, { type: "typed", text: "second" });
    s = chatReducer(s, { type: "frame", frame: { type: "error", error: { code: "chat-rate-limited", detail: "wait" } } });
    expect(s.draft).toBe("first\nsecond");
    expect(s.pending).toBeNull();
    expect(s.issue && issueKind(s.issue)).toBe("rateLimited");
    s = chatReducer(s, { type: "sent", text: s.draft });
    expect(s.issue).toBeUndefined();
  });

  it("gives the text back when the socket is lost, and tries again or gives up", () => {
    const retrying = run("agent", { type: "open" }, { type: "typed", text: "hello" }, { type: "sent", text: "hello" }, { type: "closed", retry: true });
    expect(retrying).toMatchObject({ phase: "retrying", draft: "hello", pending: null, attempt: 1 });
    expect(chatReducer(retrying, { type: "connecting" }).phase).toBe("retrying");
    expect(chatReducer(retrying, { type: "closed", retry: false }).phase).toBe("lost");
  });

  it("stays ended once the chat ended, and starts afresh on reset keeping the box", () => {
    let s = run("visitor", { type: "open" }, { type: "frame", frame: { type: "session", session: { id: "s1" } as never } }, frame(msg(1, "system", "The chat has ended.")), { type: "frame", frame: { type: "ended" } });
    expect(s.phase).toBe("ended");
    s = chatReducer(chatReducer(s, { type: "closed", retry: false }), { type: "connecting" });
    expect(s.phase).toBe("ended");
    s = chatReducer(chatReducer(s, { type: "typed", text: "still here" }), { type: "reset" });
    expect(s).toMatchObject({ phase: "connecting", messages: [], draft: "still here" });
    expect(s.session).toBeUndefined();
  });
});

describe("the socket's address and waits", () => {
  it("uses wss on https and the page's host", () => {
    expect(wsURL("/v1/chats/x/ws", { protocol: "https:", host: "crm.example.com" })).toBe("wss://crm.example.com/v1/chats/x/ws");
    expect(wsURL("/portal/acme/api/v1/chat", { protocol: "http:", host: "127.0.0.1:8080" })).toBe("ws://127.0.0.1:8080/portal/acme/api/v1/chat");
  });
  it("waits longer after each failure, at most 30 s", () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(retryDelay)).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  });
  it("names the issues it knows", () => {
    expect(["chat-message-too-long", "chat-ended", "internal"].map((code) => issueKind({ code, detail: "" }))).toEqual(["tooLong", "ended", "other"]);
  });
});
