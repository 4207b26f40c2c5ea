import { describe, expect, it } from "vitest";
import { merge, missingKeys } from "../../i18n/translate";
import { chatReducer, initialChat, type ChatEvent, type ChatMessage, type ChatSession } from "../../lib/chat";
import { chat } from "../texts/chat";
import { visitorState } from "./state";

const session = { id: "s1", caseId: "c1", status: "waiting" } as ChatSession;
const agentSays: ChatEvent = {
  type: "frame",
  frame: { type: "message", message: { id: "m1", sessionId: "s1", seq: 1, authorType: "agent", text: "Hi", createdAt: "2026-12-07T08:00:00Z" } as ChatMessage },
};

describe("visitorState", () => {
  it("connects, waits for an agent until one writes, then is connected", () => {
    let s = chatReducer(initialChat("visitor"), { type: "open" });
    expect(visitorState(s)).toBe("connecting");
    s = chatReducer(s, { type: "frame", frame: { type: "session", session } });
    expect(visitorState(s)).toBe("waiting");
    s = chatReducer(s, agentSays);
    expect(visitorState(s)).toBe("connected");
    expect(visitorState(chatReducer(s, { type: "frame", frame: { type: "ended" } }))).toBe("ended");
    expect(visitorState(chatReducer(s, { type: "closed", retry: false }))).toBe("lost");
  });
});

describe("the chat widget's texts", () => {
  it("say every text in English and 简体中文, each key under portal.chat.", () => {
    expect(missingKeys(chat)).toEqual([]);
    expect(() => merge([chat])).not.toThrow();
    expect(Object.keys(chat.en).filter((k) => !k.startsWith("portal.chat."))).toEqual([]);
  });
  it("have a text for every state the widget shows", () => {
    for (const st of ["connecting", "waiting", "connected", "retrying", "lost", "ended"]) expect(chat.zh[`portal.chat.state.${st}`]).toBeTruthy();
  });
});
