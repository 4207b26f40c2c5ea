import { describe, expect, it } from "vitest";
import type { ChatSession } from "../../lib/chat";
import { deskGroups } from "./chats";
import { chats } from "./texts/chats";

/** session is a chat of status, accepted by agent. */
const session = (id: string, status: ChatSession["status"], agentId?: string) => ({ id, status, agentId }) as ChatSession;

describe("deskGroups", () => {
  it("sorts the open chats into waiting, mine and the others', keeping their order", () => {
    const g = deskGroups([session("a", "waiting"), session("b", "active", "me"), session("c", "active", "ann"), session("d", "waiting"), session("e", "ended", "me")], "me");
    expect(g.waiting.map((s) => s.id)).toEqual(["a", "d"]);
    expect(g.mine.map((s) => s.id)).toEqual(["b"]);
    expect(g.others.map((s) => s.id)).toEqual(["c"]);
  });
});

describe("the chat desk's texts", () => {
  it("have a text for every state of the socket, in both languages", () => {
    for (const st of ["connecting", "open", "retrying", "lost", "ended"]) {
      expect(chats.en[`support.chats.state.${st}`]).toBeTruthy();
      expect(chats.zh[`support.chats.state.${st}`]).toBeTruthy();
    }
  });
});
