import type { ChatSession } from "../../lib/chat";

/** DeskGroups are the chat desk's lists: the waiting chats, the agent's own, and the others' active ones. */
export interface DeskGroups {
  waiting: ChatSession[];
  mine: ChatSession[];
  others: ChatSession[];
}

/** deskGroups sorts the open chats (GET /v1/chats, oldest first) into the desk's lists for the agent me. */
export function deskGroups(list: ChatSession[], me: string): DeskGroups {
  const out: DeskGroups = { waiting: [], mine: [], others: [] };
  for (const s of list) {
    if (s.status === "waiting") out.waiting.push(s);
    else if (s.status === "active" && s.agentId === me) out.mine.push(s);
    else if (s.status === "active") out.others.push(s);
  }
  return out;
}
