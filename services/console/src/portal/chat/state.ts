import { agentJoined, type ChatState } from "../../lib/chat";

/** VisitorState is what the widget tells the visitor about their chat. */
export type VisitorState = "connecting" | "waiting" | "connected" | "retrying" | "lost" | "ended";

/** visitorState reads the visitor's state from the socket's: waiting until an agent has written. */
export function visitorState(s: ChatState): VisitorState {
  switch (s.phase) {
    case "open":
      if (!s.session) return "connecting";
      return agentJoined(s) ? "connected" : "waiting";
    default:
      return s.phase;
  }
}
